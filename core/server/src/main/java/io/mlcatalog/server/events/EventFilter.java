package io.mlcatalog.server.events;

import java.util.Set;

/**
 * Which events a subscriber (or a webhook) wants: every field given must match; an entry that is no event never does.
 *
 * @param kinds empty: every kind
 */
public record EventFilter(Set<EventKind> kinds, String namespace, String model, String pipeline, String environment, String target) {
    public static final EventFilter ALL = new EventFilter(Set.of(), null, null, null, null, null);

    public EventFilter {
        kinds = kinds == null ? Set.of() : Set.copyOf(kinds);
    }

    public boolean matches(CatalogEvent e) {
        return e.kind() != null
                && (kinds.isEmpty() || kinds.contains(e.kind()))
                && same(namespace, e.namespace())
                && same(model, e.model())
                && same(pipeline, e.pipeline())
                && same(environment, e.environment())
                && same(target, e.target());
    }

    private static boolean same(String wanted, String actual) {
        return wanted == null || wanted.equals(actual);
    }
}
