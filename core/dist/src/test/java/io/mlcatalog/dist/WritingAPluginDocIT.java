package io.mlcatalog.dist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * docs/writing-a-plugin.md, as a reader would follow it: its plugin compiles against the SPI jar
 * alone, its kit test passes, and its jar dropped into a plugins folder of a real catalog, with its
 * mlcatalog.yaml, records what the doc says.
 */
class WritingAPluginDocIT {
    private static final Pattern BLOCK = Pattern.compile("```(\\w+)\\n(.*?)\\n```", Pattern.DOTALL);
    private static final ObjectMapper JSON = new ObjectMapper();

    record Block(String language, String path, String text) {
    }

    @Test
    void theExamplePluginCompilesAgainstTheSpiAlonePassesItsKitTestAndRunsInTheCatalog(@TempDir Path work) throws Exception {
        List<Block> blocks = blocks();
        Path sources = work.resolve("src");
        for (Block b : blocks) {
            if (b.path() != null && b.path().startsWith("src/")) {
                Path file = sources.resolve(b.path());
                Files.createDirectories(file.getParent());
                Files.writeString(file, b.text());
            }
        }

        // 1. the plugin compiles with nothing but the SPI jar on its classpath
        Path classes = compile(sources.resolve("src/main/java"), work.resolve("classes"), List.of(spiJar()));
        Path services = sources.resolve("src/main/resources/META-INF/services/io.mlcatalog.spi.Plugin");
        assertThat(services).exists();
        Path jar = jar(classes, services, work.resolve("plugins").resolve("run-logs-1.0.jar"));

        // 2. its kit test passes (compiled against the plugin and the kit, run with JUnit)
        List<Path> testClasspath = new ArrayList<>(List.of(jar));
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            testClasspath.add(Path.of(entry));
        }
        Path testClasses = compile(sources.resolve("src/test/java"), work.resolve("test-classes"), testClasspath);
        TestExecutionSummary summary = runJUnit(testClasses, jar, "com.example.runlogs.RunLogSourceTest");
        assertThat(summary.getTestsSucceededCount()).as(failures(summary)).isEqualTo(2);
        assertThat(summary.getTotalFailureCount()).as(failures(summary)).isZero();

        // 3. dropped into the plugins folder of a real catalog, with the doc's mlcatalog.yaml
        Path runs = Files.createDirectories(work.resolve("runs"));
        Files.writeString(runs.resolve("train-churn-42.run"), blocks.stream().filter(b -> "properties".equals(b.language()))
                .findFirst().orElseThrow().text());
        String yaml = blocks.stream().filter(b -> "mlcatalog.yaml".equals(b.path())).findFirst().orElseThrow().text()
                .replace("/mnt/shared/runs", runs.toString());
        Path config = Files.writeString(work.resolve("mlcatalog.yaml"), yaml);
        List<String> catalogOptions = List.of("--config", config.toString(), "--plugins-dir", jar.getParent().toString(),
                "--data-dir", work.resolve("data").toString());

        // one poll, as the doc's "mlcatalog ingest shared-runs --once" does, with the server stopped
        Process ingest = catalog(List.of("ingest", "shared-runs", "--once"), catalogOptions);
        String printed = new String(ingest.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ingest.waitFor()).as(printed).isZero();
        assertThat(printed).contains("emitted      1 RunRecord").contains("written      1 records").contains("train-churn-42.run");

        Process server = catalog(List.of("serve", "--port", "0"), catalogOptions);
        try {
            String base = awaitUrl(server);
            JsonNode run = graphql(base, "{ run(namespace: \"research\", name: \"train-churn-42\") { status params metrics "
                    + "assertedBy { source externalId } } }").path("data").path("run");
            assertThat(run.path("status").asText()).isEqualTo("SUCCEEDED");
            assertThat(run.path("metrics").path("auc").asDouble()).isEqualTo(0.893);
            assertThat(run.path("params").path("learning_rate").asText()).isEqualTo("0.05");
            assertThat(run.path("assertedBy").path(0).path("source").asText()).isEqualTo("shared-runs");
            assertThat(run.path("assertedBy").path(0).path("externalId").asText()).isEqualTo("train-churn-42.run");
            JsonNode plugins = graphql(base, "{ plugins { instance type checkpoint { offset } } }").path("data").path("plugins");
            // the distribution also runs its default openlineage receiver: the doc's instance is one of the list
            JsonNode instance = null;
            for (JsonNode p : plugins) {
                if (p.path("instance").asText().equals("shared-runs")) {
                    instance = p;
                }
            }
            assertThat(instance).as("the instance shared-runs in %s", plugins).isNotNull();
            assertThat(instance.path("type").asText()).isEqualTo("run-logs");
            assertThat(instance.path("checkpoint").path(0).path("offset").path("file").asText()).isEqualTo("train-churn-42.run");
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    /** {@code java -jar mlcatalog.jar <command> <options>}, as the doc's commands run it. */
    private static Process catalog(List<String> command, List<String> options) throws IOException {
        List<String> args = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar",
                System.getProperty("mlcatalog.jar")));
        args.addAll(command);
        args.addAll(options);
        return new ProcessBuilder(args).redirectErrorStream(true).start();
    }

    private static List<Block> blocks() throws IOException {
        Path doc = repositoryRoot().resolve("docs/writing-a-plugin.md");
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(Files.readString(doc));
        while (m.find()) {
            String text = m.group(2);
            String first = text.lines().findFirst().orElse("");
            String path = null;
            if (first.startsWith("// ") || first.startsWith("# ")) {
                path = first.substring(first.indexOf(' ') + 1).strip();
            }
            blocks.add(new Block(m.group(1), path, text));
        }
        return blocks;
    }

    private static Path repositoryRoot() {
        for (Path d = Path.of(System.getProperty("user.dir")).toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("docs")) && Files.isDirectory(d.resolve("schema"))) {
                return d;
            }
        }
        throw new IllegalStateException("not inside the repository");
    }

    private static Path spiJar() {
        Path jar = Path.of(System.getProperty("mlcatalog.spi.jar"));
        assertThat(jar).as("the SPI jar (built by mvn package)").exists();
        return jar;
    }

    private static Path compile(Path sourceRoot, Path out, List<Path> classpath) throws IOException {
        List<String> files;
        try (Stream<Path> walk = Files.walk(sourceRoot)) {
            files = walk.filter(f -> f.toString().endsWith(".java")).map(Path::toString).toList();
        }
        Files.createDirectories(out);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("--release", "17", "-d", out.toString(), "-classpath",
                String.join(java.io.File.pathSeparator, classpath.stream().map(Path::toString).toList())));
        args.addAll(files);
        int status = javac.run(null, errors, errors, args.toArray(String[]::new));
        assertThat(status).as("javac: %s", errors.toString(StandardCharsets.UTF_8)).isZero();
        return out;
    }

    private static Path jar(Path classes, Path services, Path jar) throws IOException {
        Files.createDirectories(jar.getParent());
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file);
             Stream<Path> walk = Files.walk(classes)) {
            for (Path c : walk.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(c).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(c));
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("META-INF/services/io.mlcatalog.spi.Plugin"));
            out.write(Files.readAllBytes(services));
            out.closeEntry();
        }
        return jar;
    }

    /** Runs a test class as a plugin project's build would: the plugin jar and the test classes on the classpath. */
    private static TestExecutionSummary runJUnit(Path testClasses, Path pluginJar, String className) throws Exception {
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[]{testClasses.toUri().toURL(), pluginJar.toUri().toURL()},
                WritingAPluginDocIT.class.getClassLoader())) {
            Thread.currentThread().setContextClassLoader(loader);
            LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                    .selectors(selectClass(loader.loadClass(className))).build();
            Launcher launcher = LauncherFactory.create();
            SummaryGeneratingListener listener = new SummaryGeneratingListener();
            launcher.execute(request, listener);
            return listener.getSummary();
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    private static String failures(TestExecutionSummary summary) {
        StringBuilder sb = new StringBuilder();
        summary.getFailures().forEach(f -> sb.append(f.getTestIdentifier().getDisplayName()).append(": ").append(f.getException()).append('\n'));
        return sb.toString();
    }

    private static String awaitUrl(Process server) throws IOException {
        Pattern url = Pattern.compile("GraphQL:\\s+(http://\\S+)/graphql");
        var reader = new java.io.BufferedReader(new java.io.InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder output = new StringBuilder();
        for (String line; (line = reader.readLine()) != null; ) {
            output.append(line).append('\n');
            Matcher m = url.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> reader.lines().forEach(l -> { }), "drain-server-output");
                drain.setDaemon(true);
                drain.start();
                return m.group(1);
            }
        }
        throw new AssertionError("the catalog did not start:\n" + output);
    }

    private static JsonNode graphql(String base, String query) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/graphql"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("query", query)))).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }
}
