package io.mlcatalog.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

/**
 * The on-call engineer's lookups, against a running catalog: {@code explain} (what served a target, and how it was
 * made), {@code lineage} (a tree up or down from anything) and {@code blast-radius} (what a bad dataset or commit
 * touches). A readable tree by default; {@code --json} for scripts (the API's answer as it is).
 */
final class LookupCommands {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SHA = Pattern.compile("[0-9a-fA-F]{7,64}");

    private LookupCommands() {
    }

    /** The options every lookup takes: where the catalog is and the token (as the token commands take them), and --json. */
    static class Connection {
        @picocli.CommandLine.Mixin
        TokenCommand.Target target = new TokenCommand.Target();

        @Option(names = "--json", description = "Print the API's answer as JSON, for scripts.")
        boolean json;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;
        PrintWriter out;

        /** Runs {@code lookup}, printing a failure as the message and its exit code. */
        int run(Lookup lookup) throws InterruptedException {
            out = spec.commandLine().getOut();
            try {
                return lookup.run(target.client());
            } catch (CatalogClient.Failure f) {
                spec.commandLine().getErr().println("mlcatalog: " + f.getMessage());
                return f.exitCode;
            } finally {
                out.flush();
                spec.commandLine().getErr().flush();
            }
        }

        void printJson(JsonNode data) {
            try {
                out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(data));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    interface Lookup {
        int run(CatalogClient client) throws CatalogClient.Failure, InterruptedException;
    }

    private static final String NODE = """
            fragment node on LineageNode {
              __typename
              ... on Run { id namespace name pipeline runStatus: status startedAt endedAt }
              ... on Artifact { id namespace uri digest kind }
              ... on CodeVersion { id repository commit branches }
              ... on ModelVersion { id version model { namespace name } }
              ... on Deployment { id namespace environment target deploymentStatus: status since: startedAt until: endedAt }
            }""";

    // ------------------------------------------------------------------ explain

    @Command(name = "explain", mixinStandardHelpOptions = true,
            description = "What served ENV/TARGET at an instant (default now), and how it was made: version, aliases, run, commit, inputs.")
    static final class Explain extends Connection implements Callable<Integer> {
        @Option(names = "--env", required = true, description = "The environment (prod, staging, …).")
        String environment;

        @Option(names = "--target", required = true, description = "The service or endpoint.")
        String target;

        @Option(names = "--at", description = "The instant (ISO 8601, e.g. 2026-10-22T09:00:00Z); default now.")
        String at;

        @Option(names = "--namespace", description = "The namespace, when the target's name is in several.")
        String namespace;

        @Option(names = "--depth", defaultValue = "3", description = "How far upstream of the run to draw (default ${DEFAULT-VALUE}).")
        int depth;

        private static final String QUERY = """
                query($ns: String, $env: String!, $target: String!, $at: DateTime, $depth: Int) {
                  explain(namespace: $ns, environment: $env, target: $target, at: $at, depth: $depth) {
                    at
                    deployment { id namespace status startedAt endedAt trafficPercent deployedBy }
                    deployments { id trafficPercent modelVersion { version } }
                    modelVersion { id version model { namespace name } }
                    aliasesAtTime
                    run { id namespace name pipeline status startedAt endedAt user params metrics }
                    codeVersion { repository commit branches message }
                    inputs { id uri digest kind }
                    upstream { root { ...node } nodes { ...node } edges { from to kind } truncated hidden }
                  }
                }
                """ + NODE;

        @Override
        public Integer call() throws Exception {
            return run(client -> {
                Map<String, Object> vars = new LinkedHashMap<>();
                vars.put("ns", namespace);
                vars.put("env", environment);
                vars.put("target", target);
                vars.put("at", at);
                vars.put("depth", depth);
                JsonNode data = client.query(QUERY, vars);
                JsonNode e = data.path("explain");
                boolean nothing = e.isNull() || e.path("deployment").isNull();
                if (json) {
                    printJson(data);
                    return nothing ? 1 : 0; // as the tree's: a script tells "nothing served" by the exit code either way
                }
                if (nothing) {
                    out.println("nothing served " + environment + "/" + target + (at == null ? " now" : " at " + at));
                    return 1;
                }
                out.println(environment + "/" + target + " at " + e.path("at").asText());
                Tree t = new Tree(out);
                JsonNode d = e.path("deployment");
                JsonNode v = e.path("modelVersion");
                t.line(0, true, "served by " + v.path("model").path("name").asText() + " v" + v.path("version").asText()
                        + aliases(e.path("aliasesAtTime")) + "  (deployment " + d.path("status").asText() + " since " + d.path("startedAt").asText()
                        + (d.path("trafficPercent").isNull() ? "" : ", " + d.path("trafficPercent").asText() + "% of traffic") + ")");
                // deployments are every one serving the target then, the one above among them
                List<String> beside = new ArrayList<>();
                for (JsonNode other : e.path("deployments")) {
                    if (!other.path("id").asText().equals(d.path("id").asText())) {
                        beside.add("v" + other.path("modelVersion").path("version").asText()
                                + (other.path("trafficPercent").isNull() ? "" : " (" + other.path("trafficPercent").asText() + "%)"));
                    }
                }
                if (!beside.isEmpty()) {
                    t.line(1, false, "beside it: " + String.join(", ", beside));
                }
                JsonNode run = e.path("run");
                if (run.isNull() || run.isMissingNode()) {
                    t.line(1, true, "made by no recorded run");
                    return 0;
                }
                t.line(1, true, "made by run " + run.path("namespace").asText() + "/" + run.path("name").asText() + " (" + run.path("status").asText()
                        + ", " + run.path("startedAt").asText("?") + " to " + run.path("endedAt").asText("?")
                        + (run.path("user").isNull() ? "" : ", by " + run.path("user").asText()) + ")");
                JsonNode code = e.path("codeVersion");
                List<String> facts = new ArrayList<>();
                if (!code.isNull() && !code.isMissingNode()) {
                    facts.add("code: commit " + code.path("commit").asText() + " of " + code.path("repository").asText()
                            + (code.path("branches").isEmpty() ? "" : " (" + String.join(", ", texts(code.path("branches"))) + ")"));
                }
                facts.add("params: " + flat(run.path("params")));
                facts.add("metrics: " + flat(run.path("metrics")));
                for (String f : facts) {
                    t.line(2, false, f);
                }
                t.line(2, true, "inputs (" + e.path("inputs").size() + "):");
                Graph upstream = new Graph(e.path("upstream"), false);
                int i = 0;
                for (JsonNode input : e.path("inputs")) {
                    boolean last = ++i == e.path("inputs").size();
                    t.line(3, last, describe(input, "Artifact"));
                    upstream.tree(t, input.path("id").asText(), 4, new HashSet<>(Set.of(run.path("id").asText())));
                }
                if (e.path("upstream").path("truncated").asBoolean()) {
                    out.println("(the walk was cut short at depth " + depth + ": --depth to go further)");
                }
                if (e.path("upstream").path("hidden").asInt() > 0) {
                    out.println("(" + e.path("upstream").path("hidden").asInt() + " node(s) of namespaces this token may not read are left out)");
                }
                return 0;
            });
        }
    }

    // ------------------------------------------------------------------ lineage

    @Command(name = "lineage", mixinStandardHelpOptions = true,
            description = "The lineage of a node as a tree: upstream (what it was made from) or, with --down, downstream (what was made from it).")
    static final class Lineage extends Connection implements Callable<Integer> {
        @Parameters(paramLabel = "NODE", description = "A global id, an artifact's URI, or a commit sha.")
        String node;

        @Option(names = "--down", description = "Downstream: what was made from it (runs, outputs, versions, deployments).")
        boolean down;

        @Option(names = "--depth", defaultValue = "3", description = "How many hops (1 to 20; default ${DEFAULT-VALUE}).")
        int depth;

        @Option(names = "--at", description = "The graph as it was then (ISO 8601).")
        String at;

        private static final String QUERY = """
                query($from: ID!, $direction: LineageDirection, $depth: Int, $at: DateTime) {
                  lineage(from: $from, direction: $direction, depth: $depth, asOf: $at) {
                    root { ...node } nodes { ...node } edges { from to kind } depthReached truncated hidden
                  }
                }
                """ + NODE;

        @Override
        public Integer call() throws Exception {
            return run(client -> {
                String id = resolve(client, node);
                Map<String, Object> vars = new LinkedHashMap<>();
                vars.put("from", id);
                vars.put("direction", down ? "DOWNSTREAM" : "UPSTREAM");
                vars.put("depth", depth);
                vars.put("at", at);
                JsonNode data = client.query(QUERY, vars);
                if (json) {
                    printJson(data);
                    return 0;
                }
                JsonNode g = data.path("lineage");
                Tree t = new Tree(out);
                out.println((down ? "downstream of " : "upstream of ") + describe(g.path("root"), null));
                new Graph(g, down).tree(t, g.path("root").path("id").asText(), 0, new HashSet<>());
                if (g.path("truncated").asBoolean()) {
                    out.println("(cut short: --depth " + depth + " reached, or a node has more edges than are followed; there may be more)");
                }
                if (g.path("hidden").asInt() > 0) {
                    out.println("(" + g.path("hidden").asInt() + " node(s) of namespaces this token may not read are left out)");
                }
                return 0;
            });
        }
    }

    // ------------------------------------------------------------------ blast radius

    @Command(name = "blast-radius", mixinStandardHelpOptions = true,
            description = "What a bad dataset, artifact, run or commit touches: every model version downstream, and their live deployments.")
    static final class BlastRadius extends Connection implements Callable<Integer> {
        @Parameters(paramLabel = "NODE", description = "An artifact's URI, a commit sha, or a global id.")
        String node;

        @Option(names = "--at", description = "Which deployments were live then (ISO 8601); default now.")
        String at;

        @Option(names = "--depth", defaultValue = "10", description = "How many hops downstream (default ${DEFAULT-VALUE}).")
        int depth;

        private static final String QUERY = """
                query($from: ID!, $at: DateTime, $depth: Int) {
                  blastRadius(from: $from, activeAt: $at, depth: $depth) {
                    root { ...node }
                    modelVersions { version model { namespace name } run { namespace name } aliases }
                    deployments { namespace environment target startedAt trafficPercent modelVersion { version model { name } } }
                    truncated hidden
                  }
                }
                """ + NODE;

        @Override
        public Integer call() throws Exception {
            return run(client -> {
                String id = resolve(client, node);
                Map<String, Object> vars = new LinkedHashMap<>();
                vars.put("from", id);
                vars.put("at", at);
                vars.put("depth", depth);
                JsonNode data = client.query(QUERY, vars);
                if (json) {
                    printJson(data);
                    return 0;
                }
                JsonNode b = data.path("blastRadius");
                out.println("blast radius of " + describe(b.path("root"), null));
                Tree t = new Tree(out);
                JsonNode versions = b.path("modelVersions");
                JsonNode live = b.path("deployments");
                t.line(0, false, "model versions (" + versions.size() + ")");
                int i = 0;
                for (JsonNode v : versions) {
                    t.line(1, ++i == versions.size(), v.path("model").path("namespace").asText() + "/" + v.path("model").path("name").asText()
                            + " v" + v.path("version").asText() + aliases(v.path("aliases"))
                            + (v.path("run").isNull() ? "" : "  from run " + v.path("run").path("name").asText()));
                }
                t.line(0, true, "live deployments" + (at == null ? " now" : " at " + at) + " (" + live.size() + ")");
                i = 0;
                for (JsonNode d : live) {
                    t.line(1, ++i == live.size(), d.path("namespace").asText() + " " + d.path("environment").asText() + "/" + d.path("target").asText()
                            + "  serving " + d.path("modelVersion").path("model").path("name").asText() + " v"
                            + d.path("modelVersion").path("version").asText() + " since " + d.path("startedAt").asText()
                            + (d.path("trafficPercent").isNull() ? "" : " (" + d.path("trafficPercent").asText() + "%)"));
                }
                if (b.path("truncated").asBoolean()) {
                    out.println("(cut short: there may be more; --depth to go further)");
                }
                if (b.path("hidden").asInt() > 0) {
                    out.println("(" + b.path("hidden").asInt() + " version(s) or deployment(s) of namespaces this token may not read are left out)");
                }
                return 0;
            });
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A node named as a user would: a global id, an artifact's URI, or a commit sha. */
    static String resolve(CatalogClient client, String node) throws CatalogClient.Failure, InterruptedException {
        String n = node.strip();
        if (n.contains("://") || n.matches("[a-zA-Z][a-zA-Z0-9+.-]*:.+") && !looksLikeId(n)) {
            JsonNode a = client.query("query($uri: String!) { artifact(uri: $uri) { id } }", Map.of("uri", n)).path("artifact");
            if (a.isNull() || a.isMissingNode()) {
                throw new CatalogClient.Failure(1, "no artifact at " + n + " (or none this token may read)");
            }
            return a.path("id").asText();
        }
        if (SHA.matcher(n).matches()) {
            JsonNode c = client.query("query($sha: String!) { codeVersion(commit: $sha) { id } }", Map.of("sha", n)).path("codeVersion");
            if (c.isNull() || c.isMissingNode()) {
                throw new CatalogClient.Failure(1, "no commit " + n + " is recorded");
            }
            return c.path("id").asText();
        }
        return n;
    }

    /** Whether a text is one of the catalog's global ids ({@code <Type>:<uuid>}, which reads like a URI too). */
    private static boolean looksLikeId(String s) {
        try {
            io.mlcatalog.server.model.GlobalId.parse(s, "node");
            return true;
        } catch (io.mlcatalog.server.model.CatalogException e) {
            return false;
        }
    }

    /** One line for a node. */
    static String describe(JsonNode n, String type) {
        String t = type != null ? type : n.path("__typename").asText();
        return switch (t) {
            case "Run" -> "run " + n.path("namespace").asText() + "/" + n.path("name").asText() + " (" + n.path("runStatus").asText()
                    + (n.path("startedAt").isNull() || n.path("startedAt").isMissingNode() ? "" : ", " + n.path("startedAt").asText()) + ")";
            case "Artifact" -> n.path("kind").asText("artifact").toLowerCase(java.util.Locale.ROOT) + " " + n.path("uri").asText()
                    + (n.path("digest").isNull() || n.path("digest").isMissingNode() ? "" : "  " + shortDigest(n.path("digest").asText()));
            case "CodeVersion" -> "commit " + n.path("commit").asText().substring(0, Math.min(12, n.path("commit").asText().length())) + " of "
                    + n.path("repository").asText();
            case "ModelVersion" -> "model " + n.path("model").path("namespace").asText() + "/" + n.path("model").path("name").asText()
                    + " v" + n.path("version").asText();
            case "Deployment" -> "deployment " + n.path("environment").asText() + "/" + n.path("target").asText() + " ("
                    + n.path("deploymentStatus").asText() + " since " + n.path("since").asText() + ")";
            default -> n.toString();
        };
    }

    private static String shortDigest(String d) {
        int colon = d.indexOf(':');
        return colon > 0 && d.length() > colon + 13 ? d.substring(0, colon + 13) + "…" : d;
    }

    private static List<String> texts(JsonNode list) {
        List<String> a = new ArrayList<>();
        list.forEach(x -> a.add(x.asText()));
        return a;
    }

    private static String aliases(JsonNode list) {
        List<String> a = texts(list);
        return a.isEmpty() ? "" : " [" + String.join(", ", a) + "]";
    }

    private static String flat(JsonNode object) {
        if (object == null || !object.isObject() || object.isEmpty()) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        object.fields().forEachRemaining(e -> parts.add(e.getKey() + "=" + (e.getValue().isTextual() ? e.getValue().asText() : e.getValue())));
        return String.join(", ", parts);
    }

    /** An edge as it reads from the node before it in the tree: upstream, what it came from; downstream, what came of it. */
    static String label(String kind, boolean down) {
        return switch (kind) {
            case "CONSUMED" -> down ? "read by" : "read";
            case "PRODUCED" -> down ? "produced" : "made by";
            case "BUILT_FROM" -> down ? "code of" : "code";
            case "REGISTERED_FROM_RUN", "REGISTERED_FROM_ARTIFACT" -> down ? "registered as" : "registered from";
            case "DEPLOYED_AS" -> down ? "deployed as" : "deploys";
            default -> kind.toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** Lines of a tree, drawn with box characters. */
    static final class Tree {
        private final PrintWriter out;
        private final List<Boolean> open = new ArrayList<>();

        Tree(PrintWriter out) {
            this.out = out;
        }

        void line(int depth, boolean last, String text) {
            while (open.size() <= depth) {
                open.add(false);
            }
            StringBuilder prefix = new StringBuilder();
            for (int i = 0; i < depth; i++) {
                prefix.append(open.get(i) ? "│  " : "   ");
            }
            prefix.append(last ? "└─ " : "├─ ");
            open.set(depth, !last);
            out.println(prefix + text);
        }
    }

    /** A lineage graph, walked as a tree from any of its nodes in the walk's direction. */
    static final class Graph {
        private final Map<String, JsonNode> nodes = new LinkedHashMap<>();
        private final Map<String, List<String[]>> next = new LinkedHashMap<>();
        private final boolean down;

        Graph(JsonNode g, boolean down) {
            this.down = down;
            for (JsonNode n : g.path("nodes")) {
                nodes.put(n.path("id").asText(), n);
            }
            nodes.putIfAbsent(g.path("root").path("id").asText(), g.path("root"));
            for (JsonNode e : g.path("edges")) {
                // edges point the way data flows: upstream walks them backwards
                String from = down ? e.path("from").asText() : e.path("to").asText();
                String to = down ? e.path("to").asText() : e.path("from").asText();
                next.computeIfAbsent(from, k -> new ArrayList<>()).add(new String[] {to, e.path("kind").asText()});
            }
        }

        void tree(Tree t, String id, int depth, Set<String> shown) {
            shown.add(id);
            List<String[]> children = next.getOrDefault(id, List.of());
            int i = 0;
            for (String[] c : children) {
                boolean last = ++i == children.size();
                JsonNode n = nodes.get(c[0]);
                String label = label(c[1], down) + ": " + (n == null ? c[0] : describe(n, null));
                if (shown.contains(c[0])) {
                    t.line(depth, last, label + "  (shown above)");
                    continue;
                }
                t.line(depth, last, label);
                tree(t, c[0], depth + 1, shown);
            }
        }
    }
}
