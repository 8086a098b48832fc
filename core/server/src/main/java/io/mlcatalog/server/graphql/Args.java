package io.mlcatalog.server.graphql;

import graphql.schema.DataFetchingEnvironment;
import io.mlcatalog.server.auth.Principal;
import io.mlcatalog.server.model.Access;
import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.GlobalId;
import io.mlcatalog.server.model.NodeType;
import io.mlcatalog.server.model.Source;
import io.mlcatalog.server.model.Text;
import io.mlcatalog.server.model.Times;
import io.mlcatalog.server.store.Cursor;
import io.mlcatalog.server.store.PageArgs;

import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;

/** Reading and checking field arguments. */
final class Args {
    static final int MAX_FIRST = 100;

    /** GraphQL context key: who is writing (set per request by the HTTP layer). */
    static final String SOURCE = "mlcatalog.source";
    /** GraphQL context key: who asks (set per request by the HTTP layer; {@link Principal#OPEN} without access control). */
    static final String PRINCIPAL = "mlcatalog.principal";

    private Args() {
    }

    /** {@code first} (1..100) and {@code after} of a connection field. */
    static PageArgs page(DataFetchingEnvironment env) {
        return page(env, null);
    }

    static PageArgs page(DataFetchingEnvironment env, OffsetDateTime at) {
        return new PageArgs(first(env), Cursor.decode(env.getArgument("after"), "after"), at);
    }

    /** {@code first} (1..100) alone, for a connection whose {@code after} is not a keyset cursor (history's). */
    /** Tokens, grants and webhooks are an admin's: anyone else is FORBIDDEN. */
    static void requireAdmin(DataFetchingEnvironment env, String field) {
        if (principal(env).role() != io.mlcatalog.server.auth.Role.ADMIN) {
            throw io.mlcatalog.server.model.Access.forbidden(null, field + " is for admin tokens");
        }
    }

    /** As {@link #page(DataFetchingEnvironment)}, from the arguments of a connection field selected below the one at hand. */
    static PageArgs page(Map<String, Object> arguments) {
        return new PageArgs(first((Integer) arguments.get("first")), Cursor.decode((String) arguments.get("after"), "after"), null);
    }

    static int first(DataFetchingEnvironment env) {
        return first(env.<Integer>getArgument("first"));
    }

    private static int first(Integer first) {
        int n = first == null ? 20 : first;
        if (n < 1 || n > MAX_FIRST) {
            throw new CatalogException(io.mlcatalog.server.model.ErrorCode.BAD_USER_INPUT,
                    "first must be between 1 and " + MAX_FIRST + ", got " + n + "; page with after: pageInfo.endCursor", "first");
        }
        return n;
    }

    static OffsetDateTime time(DataFetchingEnvironment env, String name) {
        return Times.normalize(env.getArgument(name), name);
    }

    /** The instant an "as of" argument names, or now. */
    static OffsetDateTime timeOrNow(DataFetchingEnvironment env, String name) {
        OffsetDateTime t = time(env, name);
        return t != null ? t : Times.now();
    }

    static UUID id(DataFetchingEnvironment env, String name, NodeType type) {
        String id = env.getArgument(name);
        return id == null ? null : GlobalId.parse(id, type, name);
    }

    static String name(DataFetchingEnvironment env, String name) {
        return Text.optionalName(name, env.getArgument(name), Text.URI_BYTES);
    }

    /**
     * A text value of a filter, checked like the names it is compared with (no control characters,
     * bounded), so that a bad filter is refused with its field instead of reaching SQL.
     */
    static String filterText(Map<String, Object> filter, String key) {
        Object v = filter.get(key);
        return v == null ? null : Text.optionalName("filter." + key, v.toString(), Text.URI_BYTES);
    }

    static Source source(DataFetchingEnvironment env) {
        Source s = env.getGraphQlContext().get(SOURCE);
        return s != null ? s : Source.api(null);
    }

    static Principal principal(DataFetchingEnvironment env) {
        Principal p = env.getGraphQlContext().get(PRINCIPAL);
        return p != null ? p : Principal.OPEN;
    }

    static Access access(DataFetchingEnvironment env) {
        return principal(env).access();
    }

    /** A namespace the caller names (in a filter or an argument) must be one it may read: FORBIDDEN otherwise. */
    static String readableNamespace(DataFetchingEnvironment env, String namespace, String field) {
        if (namespace != null) {
            access(env).requireRead(namespace, field);
        }
        return namespace;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }
}
