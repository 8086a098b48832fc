package io.mlcatalog.server.model;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Deterministic ids from natural keys: the same entity asserted twice, by anyone, gets the same id,
 * which is what makes every write an idempotent upsert. Parts are joined with NUL, which no
 * validated name contains, so two different keys can never join to the same text.
 */
public final class Ids {
    private Ids() {
    }

    public static UUID codeVersion(String repository, String commit) {
        return of("code_version", repository, commit);
    }

    public static UUID run(String namespace, String name, String externalId) {
        return of("run", namespace, name, externalId == null ? "" : externalId);
    }

    public static UUID artifact(String uri, String digest) {
        return of("artifact", uri, digest == null ? "" : digest);
    }

    /** A job: a pipeline name in a namespace (OpenLineage's job), known from its runs or from a job event. */
    public static UUID job(String namespace, String name) {
        return of("job", namespace, name);
    }

    public static UUID model(String namespace, String name) {
        return of("model", namespace, name);
    }

    public static UUID modelVersion(UUID modelId, String version) {
        return of("model_version", modelId.toString(), version);
    }

    public static UUID deployment(String namespace, String environment, String target, UUID modelVersionId, OffsetDateTime startedAt) {
        return of("deployment", namespace, environment, target, modelVersionId.toString(), Times.format(startedAt));
    }

    public static UUID edge(UUID from, UUID to, EdgeKind kind) {
        return of("edge", from.toString(), to.toString(), kind.name());
    }

    private static UUID of(String type, String... parts) {
        StringBuilder key = new StringBuilder(type);
        for (String part : parts) {
            key.append('\0').append(part);
        }
        return UUID.nameUUIDFromBytes(key.toString().getBytes(StandardCharsets.UTF_8));
    }
}
