package io.mlcatalog.spi;

import java.util.Objects;

/**
 * A setting a source or receiver understands. The host checks every configured instance against
 * its factory's settings before creating it: an unknown key, a missing required setting, or a value
 * of the wrong type stops start-up with a message naming the instance and the key.
 *
 * @param key          the key in the instance's {@code settings:}
 * @param type         how the value is read
 * @param required     whether the instance must set it
 * @param defaultValue the value when not set (null: none)
 * @param secret       never logged nor shown in status; typically given as {@code ${env:NAME}}
 * @param description  one line for docs and error messages
 */
public record Setting(String key, Type type, boolean required, String defaultValue, boolean secret, String description) {

    /** How a setting's text is read. */
    public enum Type {
        /** Any text. */
        STRING,
        /** A whole number. */
        INT,
        /** {@code true} or {@code false}. */
        BOOLEAN,
        /** A duration: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}. */
        DURATION,
        /** A comma-separated list, or a YAML list. */
        LIST
    }

    public Setting {
        Objects.requireNonNull(key, "key is null");
        Objects.requireNonNull(type, "type is null");
        Objects.requireNonNull(description, "description is null");
        if (required && defaultValue != null) {
            throw new IllegalArgumentException("setting " + key + " is required and cannot have a default");
        }
    }

    public static Setting required(String key, Type type, String description) {
        return new Setting(key, type, true, null, false, description);
    }

    public static Setting optional(String key, Type type, String defaultValue, String description) {
        return new Setting(key, type, false, defaultValue, false, description);
    }

    /** A setting whose value is never logged or shown. */
    public static Setting secret(String key, boolean required, String description) {
        return new Setting(key, Type.STRING, required, null, true, description);
    }
}
