package io.mlcatalog.server.model;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a caller may do, per namespace: read, write (which includes read) or promote (which includes write: move
 * and remove protected aliases). {@code *} stands for every namespace. {@link #ALL} is the open catalog's (no
 * access control) and the catalog's own internal writers'; every check below passes for it.
 */
public final class Access {
    public enum Privilege {
        READ, WRITE, PROMOTE;

        public static Privilege parse(String text, String field) {
            if (text != null) {
                for (Privilege p : values()) {
                    if (p.name().equalsIgnoreCase(text.trim())) {
                        return p;
                    }
                }
            }
            throw CatalogException.badInput(field, "the privilege is read, write or promote, not '" + Text.excerpt(String.valueOf(text)) + "'");
        }
    }

    public static final String ALL_NAMESPACES = "*";

    /** Every privilege in every namespace, and administration. */
    public static final Access ALL = new Access(true, Map.of(ALL_NAMESPACES, Privilege.PROMOTE));
    /** Nothing at all. */
    public static final Access NONE = new Access(false, Map.of());

    private final boolean admin;
    private final Map<String, Privilege> grants;
    private final String[] readable;

    public Access(boolean admin, Map<String, Privilege> grants) {
        this.admin = admin;
        this.grants = Map.copyOf(grants);
        this.readable = admin || this.grants.containsKey(ALL_NAMESPACES) ? null : new TreeSet<>(this.grants.keySet()).toArray(String[]::new);
    }

    public boolean admin() {
        return admin;
    }

    public Map<String, Privilege> grants() {
        return new TreeMap<>(grants);
    }

    private Privilege level(String namespace) {
        if (admin) {
            return Privilege.PROMOTE;
        }
        Privilege any = grants.get(ALL_NAMESPACES);
        Privilege own = namespace == null ? null : grants.get(namespace);
        if (any == null) {
            return own;
        }
        return own == null || own.compareTo(any) < 0 ? any : own;
    }

    public boolean canRead(String namespace) {
        return level(namespace) != null;
    }

    public boolean canWrite(String namespace) {
        Privilege p = level(namespace);
        return p != null && p.compareTo(Privilege.WRITE) >= 0;
    }

    public boolean canPromote(String namespace) {
        return level(namespace) == Privilege.PROMOTE;
    }

    /** True when this access may write in at least one namespace (code versions, which belong to none, need that). */
    public boolean writesAnywhere() {
        return admin || grants.values().stream().anyMatch(p -> p.compareTo(Privilege.WRITE) >= 0);
    }

    /** True when every namespace is readable. */
    public boolean readsAll() {
        return readable == null;
    }

    /** The readable namespaces, for {@code namespace = any(?)} in SQL; null when every namespace is. */
    public String[] readable() {
        return readable == null ? null : readable.clone();
    }

    /** This access limited to what {@code other} allows too (a token's grants within a plugin instance's namespaces). */
    public Access intersect(Access other) {
        if (this == ALL) {
            return other;
        }
        if (other == ALL) {
            return this;
        }
        Set<String> names = new TreeSet<>(grants.keySet());
        names.addAll(other.grants.keySet());
        Map<String, Privilege> result = new TreeMap<>();
        for (String ns : names) {
            Privilege a = ALL_NAMESPACES.equals(ns) ? (admin ? Privilege.PROMOTE : grants.get(ns)) : level(ns);
            Privilege b = ALL_NAMESPACES.equals(ns) ? (other.admin ? Privilege.PROMOTE : other.grants.get(ns)) : other.level(ns);
            if (a != null && b != null) {
                result.put(ns, a.compareTo(b) <= 0 ? a : b);
            }
        }
        return new Access(admin && other.admin, result);
    }

    /** Throws FORBIDDEN unless {@code namespace} is writable. */
    public void requireWrite(String namespace, String field) {
        if (!canWrite(namespace)) {
            throw forbidden(field, "this token may not write in namespace '" + Text.excerpt(namespace) + "'");
        }
    }

    public void requireRead(String namespace, String field) {
        if (!canRead(namespace)) {
            throw forbidden(field, "this token may not read namespace '" + Text.excerpt(namespace) + "'");
        }
    }

    public static CatalogException forbidden(String field, String message) {
        return new CatalogException(ErrorCode.FORBIDDEN, message, field);
    }

    /** The access of a grant list: {@code namespace → privilege}. */
    public static Access of(boolean admin, Collection<Map.Entry<String, Privilege>> grants) {
        Map<String, Privilege> m = new TreeMap<>();
        for (Map.Entry<String, Privilege> g : grants) {
            m.merge(g.getKey(), g.getValue(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
        }
        return new Access(admin, m);
    }

    public static Access namespaces(List<String> write, List<String> promote) {
        Map<String, Privilege> m = new TreeMap<>();
        write.forEach(ns -> m.put(ns, Privilege.WRITE));
        promote.forEach(ns -> m.put(ns, Privilege.PROMOTE));
        return new Access(false, m);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Access a && a.admin == admin && a.grants.equals(grants);
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(admin) * 31 + grants.hashCode();
    }

    /** The namespaces with exactly this privilege (to store an access, as with queued requests). */
    public List<String> namespacesWith(Privilege p) {
        return new TreeMap<>(grants).entrySet().stream().filter(e -> e.getValue() == p).map(Map.Entry::getKey).toList();
    }

    @Override
    public String toString() {
        return admin ? "admin" : grants.toString();
    }
}
