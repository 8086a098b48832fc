package io.mlcatalog.server.store;

import java.util.UUID;

/** Which page of a parent's children to load: the same arguments for many parents batch into one statement. */
public record ChildPage(UUID parent, PageArgs args) {
}
