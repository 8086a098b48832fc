package io.mlcatalog.server;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code mlcatalog token …}: tokens of a running catalog, over its GraphQL API, with an admin token. */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Make, list and revoke the tokens of a running catalog (admins).",
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class, TokenCommand.Grant.class,
                TokenCommand.Ungrant.class})
final class TokenCommand {
    private static final String FIELDS = "name role prefix state grants { namespace privilege } createdAt createdBy expiresAt revokedAt lastUsedAt";

    /** Where the catalog is and the token to reach it with. */
    static final class Target {
        @Option(names = "--url", defaultValue = "${env:MLCATALOG_URL:-http://127.0.0.1:8080}",
                description = "The running catalog (default: ${DEFAULT-VALUE}).")
        String url;

        @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:MLCATALOG_TOKEN}",
                description = "A token, when the catalog needs one; the token commands need an admin's (default: the MLCATALOG_TOKEN "
                        + "environment variable; prefer it: a command line shows in ps).")
        String token;

        CatalogClient client() {
            return new CatalogClient(url, token);
        }
    }

    /** Runs the command's query; prints the failure and returns its exit code when there is one. */
    abstract static class Base implements Callable<Integer> {
        @Mixin
        Target target = new Target();

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            try {
                run(target.client(), spec.commandLine().getOut());
                spec.commandLine().getOut().flush();
                return 0;
            } catch (CatalogClient.Failure f) {
                spec.commandLine().getErr().println("mlcatalog: " + f.getMessage());
                return f.exitCode;
            }
        }

        abstract void run(CatalogClient client, PrintWriter out) throws CatalogClient.Failure, InterruptedException;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Make a token and print it, this once: the catalog keeps only its hash.")
    static final class Create extends Base {
        @Option(names = "--name", required = true, description = "Its name, as the change log will show it (token:<name>); never reused.")
        String name;

        @Option(names = "--role", required = true, description = "reader, writer or admin.")
        String role;

        @Option(names = "--namespace", paramLabel = "NS", description = "A namespace it may read (reader) or write (writer) in; '*' for all. Repeat for more.")
        List<String> namespaces = new ArrayList<>();

        @Option(names = "--promote", paramLabel = "NS", description = "Of its namespaces, one where a writer may move protected aliases. Repeat for more.")
        List<String> promote = new ArrayList<>();

        @Option(names = "--expires-in", paramLabel = "SPAN", description = "Expire it after this long: 90d, 12h, 30m (default: never).")
        String expiresIn;

        @Override
        void run(CatalogClient client, PrintWriter out) throws CatalogClient.Failure, InterruptedException {
            Map<String, Object> input = new LinkedHashMap<>();
            input.put("name", name);
            input.put("role", role.strip().toUpperCase(java.util.Locale.ROOT));
            input.put("namespaces", namespaces);
            input.put("promote", promote);
            input.put("expiresIn", expiresIn);
            JsonNode created = client.query("mutation($i: CreateTokenInput!) { createToken(input: $i) { token apiToken { " + FIELDS + " } } }",
                    Map.of("i", input)).path("createToken");
            JsonNode t = created.path("apiToken");
            out.println(created.path("token").asText());
            out.println();
            out.println("Token '" + t.path("name").asText() + "' (" + t.path("role").asText().toLowerCase(java.util.Locale.ROOT)
                    + describeGrants(t) + (t.path("expiresAt").isNull() ? "" : ", expires " + t.path("expiresAt").asText())
                    + ") is shown this once: keep it in a secret store. Clients send it as Authorization: Bearer <token>.");
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the tokens: names, roles, grants, state; never their values.")
    static final class ListTokens extends Base {
        @Option(names = "--all", description = "Revoked tokens too.")
        boolean all;

        @Override
        void run(CatalogClient client, PrintWriter out) throws CatalogClient.Failure, InterruptedException {
            JsonNode tokens = client.query("query($all: Boolean) { tokens(includeRevoked: $all) { " + FIELDS + " } }",
                    Map.of("all", all)).path("tokens");
            out.printf("%-24s %-7s %-8s %-13s %-22s %-21s %s%n", "NAME", "ROLE", "STATE", "PREFIX", "EXPIRES", "LAST USED", "GRANTS");
            for (JsonNode t : tokens) {
                out.printf("%-24s %-7s %-8s %-13s %-22s %-21s %s%n", t.path("name").asText(), t.path("role").asText().toLowerCase(java.util.Locale.ROOT),
                        t.path("state").asText().toLowerCase(java.util.Locale.ROOT), t.path("prefix").asText() + "…",
                        t.path("expiresAt").asText("never"), t.path("lastUsedAt").asText("-"), grantsText(t));
            }
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true, description = "Revoke a token at once.")
    static final class Revoke extends Base {
        @Parameters(paramLabel = "NAME", description = "The token's name.")
        String name;

        @Override
        void run(CatalogClient client, PrintWriter out) throws CatalogClient.Failure, InterruptedException {
            JsonNode t = client.query("mutation($n: String!) { revokeToken(name: $n) { name revokedAt } }", Map.of("n", name))
                    .path("revokeToken");
            out.println("revoked '" + t.path("name").asText() + "' at " + t.path("revokedAt").asText());
        }
    }

    @Command(name = "grant", mixinStandardHelpOptions = true, description = "Give a reader or writer token a privilege in a namespace.")
    static final class Grant extends Base {
        @Parameters(paramLabel = "NAME", description = "The token's name.")
        String name;

        @Option(names = "--namespace", required = true, paramLabel = "NS", description = "The namespace ('*': every one).")
        String namespace;

        @Option(names = "--privilege", required = true, description = "read, write or promote.")
        String privilege;

        @Override
        void run(CatalogClient client, PrintWriter out) throws CatalogClient.Failure, InterruptedException {
            JsonNode t = client.query("mutation($n: String!, $ns: String!, $p: Privilege!) { grant(token: $n, namespace: $ns, privilege: $p) { "
                    + FIELDS + " } }", Map.of("n", name, "ns", namespace, "p", privilege.strip().toUpperCase(java.util.Locale.ROOT))).path("grant");
            out.println("'" + t.path("name").asText() + "' now: " + grantsText(t));
        }
    }

    @Command(name = "ungrant", mixinStandardHelpOptions = true, description = "Take a token's grant in a namespace away.")
    static final class Ungrant extends Base {
        @Parameters(paramLabel = "NAME", description = "The token's name.")
        String name;

        @Option(names = "--namespace", required = true, paramLabel = "NS", description = "The namespace.")
        String namespace;

        @Override
        void run(CatalogClient client, PrintWriter out) throws CatalogClient.Failure, InterruptedException {
            JsonNode t = client.query("mutation($n: String!, $ns: String!) { revokeGrant(token: $n, namespace: $ns) { " + FIELDS + " } }",
                    Map.of("n", name, "ns", namespace)).path("revokeGrant");
            out.println("'" + t.path("name").asText() + "' now: " + grantsText(t));
        }
    }

    private static String grantsText(JsonNode t) {
        if ("ADMIN".equals(t.path("role").asText())) {
            return "everything";
        }
        List<String> parts = new ArrayList<>();
        t.path("grants").forEach(g -> parts.add(g.path("namespace").asText() + ":" + g.path("privilege").asText().toLowerCase(java.util.Locale.ROOT)));
        return parts.isEmpty() ? "nothing" : String.join(" ", parts);
    }

    private static String describeGrants(JsonNode t) {
        return "ADMIN".equals(t.path("role").asText()) ? "" : ", " + grantsText(t);
    }
}
