package io.mlcatalog.server.model;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A message digest of each thread, reused: {@link MessageDigest#getInstance} looks the algorithm up among the security
 * providers at every call, which cost more than hashing a short text (MD5 of ids and SHA-256 of facet documents took
 * about 4 % and 2 % of the server's CPU while it wrote batched OpenLineage events, in a JFR profile).
 * {@link MessageDigest#digest(byte[])} resets the digest, so each call starts afresh.
 */
public final class ThreadDigests {
    private ThreadDigests() {
    }

    /** A digest of {@code algorithm} (one every Java runtime has) for each thread. */
    public static ThreadLocal<MessageDigest> of(String algorithm) {
        return ThreadLocal.withInitial(() -> {
            try {
                return MessageDigest.getInstance(algorithm);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java runtime has " + algorithm, e);
            }
        });
    }
}
