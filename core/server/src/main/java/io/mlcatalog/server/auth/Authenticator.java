package io.mlcatalog.server.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells who a request comes from by its {@code Authorization: Bearer} token. Tokens are held in memory by
 * their SHA-256, reloaded from the database every {@value #RELOAD_MS} ms (so that a token made or revoked on
 * another node counts here within that) and at once after a change on this node. A lookup hashes the
 * presented value and compares hashes with {@link MessageDigest#isEqual}: the time it takes says nothing
 * about any stored token. Failures are counted and logged at most once a minute, without the values.
 */
public final class Authenticator {
    private static final Logger log = LoggerFactory.getLogger(Authenticator.class);
    static final long RELOAD_MS = 2_000;
    private static final long TOUCH_EVERY_MS = 60_000;
    private static final long WARN_EVERY_MS = 60_000;

    /** The outcome of a check: a principal, or why the request is refused (401). */
    public record Outcome(Principal principal, String refusal) {
        public boolean ok() {
            return principal != null;
        }
    }

    private final boolean enabled;
    private final TokenStore store;
    private final Clock clock;
    private volatile Map<ByteBuffer, TokenStore.Token> byHash = Map.of();
    private final Map<UUID, Long> touched = new ConcurrentHashMap<>();
    private final AtomicLong failures = new AtomicLong();
    private volatile long lastWarning;
    private long timer = -1;
    private Vertx vertx;

    public Authenticator(boolean enabled, TokenStore store, Clock clock) {
        this.enabled = enabled;
        this.store = store;
        this.clock = clock;
    }

    /** Whether requests need a token. */
    public boolean enabled() {
        return enabled;
    }

    public TokenStore store() {
        return store;
    }

    /** Loads the tokens and reloads them periodically. */
    public Future<Void> start(Vertx vertx) {
        if (!enabled) {
            return Future.succeededFuture();
        }
        this.vertx = vertx;
        return reload().onSuccess(x -> timer = vertx.setPeriodic(RELOAD_MS, id -> reload()
                .onFailure(e -> log.warn("could not reload the tokens (the last ones loaded still count): {}", e.toString()))));
    }

    public Future<Void> reload() {
        return store.all().map(tokens -> {
            Map<ByteBuffer, TokenStore.Token> m = new HashMap<>();
            for (TokenStore.Token t : tokens) {
                m.put(ByteBuffer.wrap(t.hash()), t);
            }
            byHash = m;
            return null;
        });
    }

    public void stop() {
        if (vertx != null && timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /**
     * Who sends {@code authorization}; {@code wrongPlace} names where else the request carries what looks like a token
     * (an {@code X-Api-Key} header, an {@code access_token} parameter), for the error to point at, or is null.
     */
    public Outcome authenticate(String authorization, String wrongPlace) {
        if (!enabled) {
            return new Outcome(Principal.OPEN, null);
        }
        if (authorization == null || authorization.isBlank()) {
            return refuse(wrongPlace != null
                    ? "the token must be sent as Authorization: Bearer <token>, not in " + wrongPlace
                    : "this catalog needs a token: send the header Authorization: Bearer <token>");
        }
        String a = authorization.strip();
        int space = a.indexOf(' ');
        String scheme = space < 0 ? a : a.substring(0, space);
        if (!scheme.equalsIgnoreCase("Bearer")) {
            return refuse("the Authorization header must be 'Bearer <token>'"
                    + (scheme.matches("[A-Za-z]{1,20}") && space > 0 ? ", not '" + scheme + " …'" : ""));
        }
        String token = space < 0 ? "" : a.substring(space + 1).strip();
        if (token.isEmpty()) {
            return refuse("the Authorization header has no token after 'Bearer'");
        }
        if (!Tokens.wellFormed(token)) {
            return refuse("the token has characters no token has, or is longer than 512 characters: check that it was copied whole");
        }
        byte[] hash = Tokens.hash(token);
        TokenStore.Token t = byHash.get(ByteBuffer.wrap(hash));
        if (t == null || !MessageDigest.isEqual(hash, t.hash())) {
            return refuse("the token is not known to this catalog");
        }
        OffsetDateTime now = OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
        if (t.revokedAt() != null) {
            return refuse("the token '" + t.name() + "' was revoked at " + t.revokedAt().withOffsetSameInstant(ZoneOffset.UTC));
        }
        if (t.expiredAt(now)) {
            return refuse("the token '" + t.name() + "' expired at " + t.expiresAt().withOffsetSameInstant(ZoneOffset.UTC));
        }
        touch(t.id());
        return new Outcome(t.principal(), null);
    }

    private void touch(UUID id) {
        long now = clock.millis();
        Long last = touched.get(id);
        if (last == null || now - last > TOUCH_EVERY_MS) {
            touched.put(id, now);
            store.touch(id).onFailure(e -> log.debug("could not record a token's last use: {}", e.toString()));
        }
    }

    private Outcome refuse(String why) {
        failures.incrementAndGet();
        long now = clock.millis();
        if (now - lastWarning > WARN_EVERY_MS) {
            lastWarning = now;
            log.warn("{} request(s) refused for a missing or wrong token since the last such warning; the last: {}", failures.getAndSet(0), why);
        }
        return new Outcome(null, why);
    }

    /** The tokens as last loaded (for tests and the admin API's listing, which reads the database itself). */
    List<TokenStore.Token> loaded() {
        return List.copyOf(byHash.values());
    }
}
