package io.mlcatalog.server.auth;

import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.Text;

import java.util.Locale;

/** What a token is for: reading, writing in its namespaces, or administering the catalog. */
public enum Role {
    READER, WRITER, ADMIN;

    public String dbName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Role parse(String text, String field) {
        if (text != null) {
            for (Role r : values()) {
                if (r.name().equalsIgnoreCase(text.trim())) {
                    return r;
                }
            }
        }
        throw CatalogException.badInput(field, "the role is reader, writer or admin, not '" + Text.excerpt(String.valueOf(text)) + "'");
    }
}
