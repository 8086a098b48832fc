package io.mlcatalog.plugins.webhook;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The signature GitHub sends ({@code X-Hub-Signature-256: sha256=<hex>}, an HMAC-SHA256 of the raw body
 * with the shared secret), checked in constant time.
 */
final class Signature {
    static final String HEADER = "X-Hub-Signature-256";
    private final SecretKeySpec key;

    Signature(String secret) {
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
    }

    /** {@code sha256=<hex>} of the body. */
    String of(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Whether {@code header} is the body's signature (the hex in any case). */
    boolean matches(byte[] body, String header) {
        if (header == null) {
            return false;
        }
        byte[] expected = of(body).getBytes(StandardCharsets.US_ASCII);
        byte[] given = header.strip().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, given);
    }
}
