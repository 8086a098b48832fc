package io.mlcatalog.server.model;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
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
        int length = type.length();
        for (String part : parts) {
            length += 1 + part.length();
        }
        // sized at once: grown from its default size, the builder was copied at each growth (a JFR profile)
        StringBuilder key = new StringBuilder(length).append(type);
        for (String part : parts) {
            key.append('\0').append(part);
        }
        return nameUuid(key.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** MD5 of each thread, reused (see {@link ThreadDigests}). */
    private static final ThreadLocal<MessageDigest> MD5 = ThreadDigests.of("MD5");

    /** The same UUID as {@link UUID#nameUUIDFromBytes} (version 3, IETF variant), from a digest of this thread. */
    static UUID nameUuid(byte[] name) {
        byte[] md5 = MD5.get().digest(name); // digest() also resets it for the next call
        md5[6] &= 0x0f;
        md5[6] |= 0x30;
        md5[8] &= 0x3f;
        md5[8] |= (byte) 0x80;
        long msb = 0;
        long lsb = 0;
        for (int i = 0; i < 8; i++) {
            msb = (msb << 8) | (md5[i] & 0xff);
        }
        for (int i = 8; i < 16; i++) {
            lsb = (lsb << 8) | (md5[i] & 0xff);
        }
        return new UUID(msb, lsb);
    }
}
