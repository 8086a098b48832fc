package io.mlcatalog.server.model;

import java.util.UUID;

import static java.util.Objects.requireNonNull;

/**
 * A Relay global id: the GraphQL type name and the entity's UUID, as {@code Run:6f1c…}.
 * Readable on purpose: an on-call engineer copies it from one query into the next.
 */
public record GlobalId(NodeType type, UUID uuid) {

    public GlobalId {
        requireNonNull(type, "type is null");
        requireNonNull(uuid, "uuid is null");
    }

    public static String of(NodeType type, UUID uuid) {
        return new GlobalId(type, uuid).toString();
    }

    /** Parses an id a client sent; {@code field} names the argument for the error message. */
    public static GlobalId parse(String text, String field) {
        if (text == null) {
            throw CatalogException.badInput(field, "id is missing");
        }
        int colon = text.indexOf(':');
        NodeType type = colon > 0 ? NodeType.fromGraphqlName(text.substring(0, colon)) : null;
        if (type == null) {
            throw CatalogException.badInput(field, "not a valid id: expected <Type>:<uuid>, for example Run:0b7a5c1e-…, got '"
                    + Text.excerpt(text) + "'");
        }
        try {
            String rest = text.substring(colon + 1);
            if (rest.length() != 36) {
                throw new IllegalArgumentException();
            }
            return new GlobalId(type, UUID.fromString(rest));
        } catch (IllegalArgumentException e) {
            throw CatalogException.badInput(field, "not a valid id: the part after '" + type.graphqlName() + ":' must be a UUID");
        }
    }

    /** Parses an id that must be of {@code expected} type. */
    public static UUID parse(String text, NodeType expected, String field) {
        GlobalId id = parse(text, field);
        if (id.type != expected) {
            throw CatalogException.badInput(field, "expected the id of a " + expected.graphqlName() + ", got the id of a "
                    + id.type.graphqlName());
        }
        return id.uuid;
    }

    @Override
    public String toString() {
        return type.graphqlName() + ":" + uuid;
    }
}
