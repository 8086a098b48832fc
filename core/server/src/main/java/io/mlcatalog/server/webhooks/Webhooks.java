package io.mlcatalog.server.webhooks;

import io.mlcatalog.server.events.EventFilter;
import io.mlcatalog.server.model.CatalogException;

import java.net.URI;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** What a webhook's fields must be, and its signing secrets. */
public final class Webhooks {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final Pattern SECRET = Pattern.compile("[\\x21-\\x7e]{16,256}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Webhooks() {
    }

    public static String name(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw CatalogException.badInput("name", "a webhook's name is 1 to 63 lower-case letters, digits, '.', '_' and '-', starting "
                    + "with a letter or digit");
        }
        return name;
    }

    /** An http(s) URL with a host. */
    public static String url(String url) {
        URI uri;
        try {
            uri = URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            throw CatalogException.badInput("url", "not a URL: " + e.getMessage());
        }
        if (uri.getScheme() == null || !uri.getScheme().matches("(?i)https?") || uri.getHost() == null) {
            throw CatalogException.badInput("url", "a webhook's URL is http(s)://host[:port]/path");
        }
        if (uri.getRawUserInfo() != null) {
            throw CatalogException.badInput("url", "a webhook's URL holds no credentials: the receiver checks the signature instead");
        }
        if (url.length() > 2048) {
            throw CatalogException.badInput("url", "a URL of at most 2048 characters");
        }
        return uri.toString();
    }

    public static String secret(String secret) {
        if (secret == null || !SECRET.matcher(secret).matches()) {
            // the secret itself is not repeated
            throw CatalogException.badInput("secret", "a secret is 16 to 256 printable ASCII characters without spaces");
        }
        return secret;
    }

    public static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** A filter as the JSON the API shows (and mlcatalog.yaml writes). */
    public static Map<String, Object> filterJson(EventFilter f) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (!f.kinds().isEmpty()) {
            m.put("kinds", f.kinds().stream().map(Enum::name).sorted().toList());
        }
        for (var e : new String[][] {{"namespace", f.namespace()}, {"model", f.model()}, {"pipeline", f.pipeline()},
                {"environment", f.environment()}, {"target", f.target()}}) {
            if (e[1] != null) {
                m.put(e[0], e[1]);
            }
        }
        return m;
    }
}
