package io.mlcatalog.server.store;

import io.mlcatalog.server.model.CatalogException;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.UUID;

/**
 * A keyset cursor: the sort time and id of the last row a client saw. Every listing sorts newest
 * first by {@code (time desc, id desc)}, so the next page is {@code where (time, id) < (cursor)},
 * an index range scan however deep the client pages (no OFFSET).
 */
public record Cursor(OffsetDateTime at, UUID id) {

    public String encode() {
        Instant i = at.toInstant();
        long micros = i.getEpochSecond() * 1_000_000L + i.getNano() / 1_000;
        String raw = micros + "/" + id;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** Decodes a client's {@code after} argument; null stays null. */
    public static Cursor decode(String text, String field) {
        if (text == null) {
            return null;
        }
        try {
            String raw = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
            int slash = raw.indexOf('/');
            long micros = Long.parseLong(raw.substring(0, slash));
            UUID id = UUID.fromString(raw.substring(slash + 1));
            Instant at = Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
            return new Cursor(OffsetDateTime.ofInstant(at, ZoneOffset.UTC), id);
        } catch (RuntimeException e) {
            throw CatalogException.badInput(field, "not a cursor returned by this API: pass an endCursor or edges.cursor value unchanged");
        }
    }
}
