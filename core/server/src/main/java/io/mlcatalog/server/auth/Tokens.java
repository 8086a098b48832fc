package io.mlcatalog.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Token values: {@code mlc_} and 32 random bytes in base64url (47 characters). The catalog keeps only a
 * token's SHA-256 (a value of 256 random bits needs no salt or slow hash: there is nothing to guess
 * from) and its first {@value #PREFIX_LENGTH} characters, which {@code token list} shows so that people
 * can tell their tokens apart.
 */
public final class Tokens {
    public static final String MARK = "mlc_";
    public static final int PREFIX_LENGTH = 12;
    /** Characters a bearer token may have (RFC 6750's b64token) and a sane length. */
    static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9._~+/=-]{1,512}");
    /** What an operator-given admin token (MLCATALOG_ADMIN_TOKEN) must be: long enough not to be guessed. */
    static final Pattern STRONG = Pattern.compile("[A-Za-z0-9._~+/=-]{32,512}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {
    }

    public static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return MARK + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static byte[] hash(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * What is shown of a token to recognise it by: of one this catalog made, its mark and 8 of its 43 random
     * characters; of one an operator chose (which may be shorter and less random), 4 characters only.
     */
    public static String prefix(String token) {
        int n = token.startsWith(MARK) && token.length() >= 40 ? PREFIX_LENGTH : 4;
        return token.substring(0, Math.min(n, token.length()));
    }

    public static boolean strong(String token) {
        return token != null && STRONG.matcher(token).matches();
    }

    public static boolean wellFormed(String token) {
        return token != null && WELL_FORMED.matcher(token).matches();
    }
}
