package io.mlcatalog.server.graphql;

import graphql.schema.DataFetchingEnvironment;
import graphql.schema.idl.RuntimeWiring;
import io.mlcatalog.server.auth.Authenticator;
import io.mlcatalog.server.auth.Principal;
import io.mlcatalog.server.auth.Role;
import io.mlcatalog.server.auth.TokenStore;
import io.mlcatalog.server.auth.Tokens;
import io.mlcatalog.server.db.Db;
import io.mlcatalog.server.model.Access;
import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.Text;
import io.mlcatalog.server.model.Times;
import io.mlcatalog.server.write.CatalogWriter;
import io.vertx.core.Future;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.mlcatalog.server.graphql.Loaders.stage;

/** The GraphQL wiring of access control (schema/access.graphqls): the viewer, tokens, grants, protected aliases. */
final class AccessWiring {
    private static final Pattern TOKEN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Pattern SPAN = Pattern.compile("(\\d{1,6})\\s*([dhm])");

    private final Db db;
    private final Authenticator authenticator;
    private final CatalogWriter writer;

    AccessWiring(Db db, Authenticator authenticator, CatalogWriter writer) {
        this.db = db;
        this.authenticator = authenticator;
        this.writer = writer;
    }

    /** A grant as the schema shows it. */
    record GrantView(String namespace, Access.Privilege privilege) {
    }

    void wire(RuntimeWiring.Builder w) {
        w.type("Query", t -> t
                .dataFetcher("viewer", this::viewer)
                .dataFetcher("tokens", env -> {
                    Args.requireAdmin(env, "tokens");
                    boolean revoked = Boolean.TRUE.equals(env.getArgument("includeRevoked"));
                    return stage(store().all()).thenApply(all -> all.stream().filter(tk -> revoked || tk.revokedAt() == null).toList());
                }));
        w.type("Mutation", t -> t
                .dataFetcher("createToken", this::createToken)
                .dataFetcher("revokeToken", env -> {
                    Args.requireAdmin(env, "revokeToken");
                    String name = tokenName(env.getArgument("name"), "name");
                    Principal p = Args.principal(env);
                    return changed(db.inTransaction(tx -> store().byName(tx, name).compose(tk -> {
                        if (tk != null && tk.role() == Role.ADMIN && tk.revokedAt() == null) {
                            // the catalog must keep a way in: refuse to revoke the last admin token that works
                            return store().countActiveAdmins().compose(n -> n <= 1 && !tk.expiredAt(Times.now())
                                    ? Future.failedFuture(CatalogException.conflict("name", "'" + name + "' is the last active admin "
                                    + "token: make another admin token first"))
                                    : store().revoke(tx, name, by(p)));
                        }
                        return store().revoke(tx, name, by(p));
                    })));
                })
                .dataFetcher("grant", env -> {
                    Args.requireAdmin(env, "grant");
                    String name = tokenName(env.getArgument("token"), "token");
                    String ns = namespace(env.getArgument("namespace"), "namespace");
                    Access.Privilege privilege = Access.Privilege.valueOf(env.<Object>getArgument("privilege").toString());
                    return changed(db.inTransaction(tx -> store().byName(tx, name).compose(tk -> {
                        if (tk != null) {
                            checkGrant(tk.role(), privilege, "privilege");
                        }
                        return store().grant(tx, name, ns, privilege, by(Args.principal(env)));
                    })));
                })
                .dataFetcher("revokeGrant", env -> {
                    Args.requireAdmin(env, "revokeGrant");
                    String name = tokenName(env.getArgument("token"), "token");
                    String ns = namespace(env.getArgument("namespace"), "namespace");
                    return changed(db.inTransaction(tx -> store().revokeGrant(tx, name, ns)));
                })
                .dataFetcher("protectAlias", env -> stage(writer.protectAlias(Args.source(env), env.getArgument("namespace"),
                        env.getArgument("model"), env.getArgument("alias"), true)))
                .dataFetcher("unprotectAlias", env -> stage(writer.protectAlias(Args.source(env), env.getArgument("namespace"),
                        env.getArgument("model"), env.getArgument("alias"), false))));
        w.type("ApiToken", t -> t
                .dataFetcher("state", env -> {
                    TokenStore.Token tk = env.getSource();
                    return tk.revokedAt() != null ? "REVOKED" : tk.expiredAt(Times.now()) ? "EXPIRED" : "ACTIVE";
                })
                .dataFetcher("grants", env -> grants(((TokenStore.Token) env.getSource()).grants())));
    }

    private TokenStore store() {
        return authenticator.store();
    }

    private Map<String, Object> viewer(DataFetchingEnvironment env) {
        Principal p = Args.principal(env);
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("name", p.name());
        v.put("role", p.role());
        v.put("grants", p.role() == Role.ADMIN ? List.of() : grants(p.access().grants()));
        v.put("authEnabled", authenticator.enabled());
        v.put("expiresAt", p.expiresAt());
        return v;
    }

    private CompletableFuture<Map<String, Object>> createToken(DataFetchingEnvironment env) {
        Args.requireAdmin(env, "createToken");
        Map<String, Object> input = Args.map(env.getArgument("input"));
        String name = tokenName(input.get("name"), "input.name");
        Role role = Role.valueOf(input.get("role").toString());
        List<String> namespaces = namespaces(input.get("namespaces"), "input.namespaces");
        List<String> promote = namespaces(input.get("promote"), "input.promote");
        Map<String, Access.Privilege> grants = new TreeMap<>();
        if (role == Role.ADMIN) {
            if (!namespaces.isEmpty() || !promote.isEmpty()) {
                throw CatalogException.badInput("input.namespaces", "an admin token may do everything in every namespace: give it no namespaces");
            }
        } else {
            if (namespaces.isEmpty()) {
                throw CatalogException.badInput("input.namespaces", "a " + role.dbName() + " token needs the namespaces it may "
                        + (role == Role.READER ? "read" : "write") + " in ('*' for every one)");
            }
            Access.Privilege level = role == Role.READER ? Access.Privilege.READ : Access.Privilege.WRITE;
            namespaces.forEach(ns -> grants.put(ns, level));
            for (String ns : promote) {
                checkGrant(role, Access.Privilege.PROMOTE, "input.promote");
                if (!grants.containsKey(ns) && !grants.containsKey(Access.ALL_NAMESPACES)) {
                    throw CatalogException.badInput("input.promote", "promote names '" + Text.excerpt(ns) + "', which is not among its namespaces");
                }
                grants.put(ns, Access.Privilege.PROMOTE);
            }
        }
        OffsetDateTime expiresAt = expiry(input);
        String value = Tokens.generate();
        Principal p = Args.principal(env);
        return changed(db.inTransaction(tx -> store().create(tx, name, role, value, by(p), expiresAt, grants))).thenApply(tk -> {
            Map<String, Object> created = new LinkedHashMap<>();
            created.put("token", value);
            created.put("apiToken", tk);
            return created;
        });
    }

    /** Runs a change to tokens, then reloads them, so that this node honours it when the mutation answers. */
    private <T> CompletableFuture<T> changed(Future<T> change) {
        return stage(change.compose(result -> authenticator.reload().map(result))).toCompletableFuture();
    }


    private static void checkGrant(Role role, Access.Privilege privilege, String field) {
        if (role == Role.ADMIN) {
            throw CatalogException.badInput(field, "an admin token may do everything already: it takes no grants");
        }
        if (role == Role.READER && privilege != Access.Privilege.READ) {
            throw CatalogException.badInput(field, "a reader token only reads: make a writer token to write or promote");
        }
    }

    private static String by(Principal p) {
        return p.open() ? "api" : p.actor();
    }

    private static List<GrantView> grants(Map<String, Access.Privilege> grants) {
        List<GrantView> result = new ArrayList<>();
        new TreeMap<>(grants).forEach((ns, p) -> result.add(new GrantView(ns, p)));
        return result;
    }

    private static String tokenName(Object value, String field) {
        String name = value == null ? "" : value.toString();
        if (!TOKEN_NAME.matcher(name).matches()) {
            throw CatalogException.badInput(field, "a token name is 1 to 64 of A-Z a-z 0-9 . _ -, starting with a letter or digit, not '"
                    + Text.excerpt(name) + "'");
        }
        return name;
    }

    private static String namespace(Object value, String field) {
        String ns = value == null ? null : value.toString().strip();
        return Access.ALL_NAMESPACES.equals(ns) ? ns : Text.name(field, ns, Text.SHORT_NAME_BYTES);
    }

    private static List<String> namespaces(Object value, String field) {
        List<String> result = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object o : list) {
                String ns = namespace(o, field);
                if (!result.contains(ns)) {
                    result.add(ns);
                }
            }
        }
        return result;
    }

    private static OffsetDateTime expiry(Map<String, Object> input) {
        Object at = input.get("expiresAt");
        Object in = input.get("expiresIn");
        if (at != null && in != null) {
            throw CatalogException.badInput("input.expiresIn", "give expiresAt or expiresIn, not both");
        }
        OffsetDateTime now = Times.now();
        if (at != null) {
            OffsetDateTime t = Times.normalize((OffsetDateTime) at, "input.expiresAt");
            if (!t.isAfter(now)) {
                throw CatalogException.badInput("input.expiresAt", "the token would have expired already (" + Times.format(t) + ")");
            }
            return t;
        }
        if (in == null) {
            return null;
        }
        Matcher m = SPAN.matcher(in.toString().strip().toLowerCase(Locale.ROOT));
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw CatalogException.badInput("input.expiresIn", "expiresIn is a number of days, hours or minutes, like 90d, 12h or 30m, not '"
                    + Text.excerpt(in.toString()) + "'");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "d" -> Duration.ofDays(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofMinutes(n);
        };
        return now.plus(d);
    }
}
