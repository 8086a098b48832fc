package io.mlcatalog.plugins.git;

import io.mlcatalog.spi.PluginConfigException;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import static java.util.Objects.requireNonNull;

/** Where the repository is: a path on this machine, read in place, or a URL, cloned into the instance's work directory. */
sealed interface RepositoryLocation {
    Pattern URL = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*://.*");
    /** {@code git@github.com:acme/churn.git}, the scp-like form of an ssh URL. */
    Pattern SCP_LIKE = Pattern.compile("[^/@:\\s]+@[^/:\\s]+:.+");
    Set<String> SCHEMES = Set.of("file", "http", "https", "ssh", "git", "git+ssh", "ssh+git");

    /** The name commits are recorded under when {@code repositoryName} is not set. */
    String defaultName();

    /** The location as it may be shown in messages: without a password. */
    String redacted();

    /** A repository read in place. */
    record Local(Path path) implements RepositoryLocation {
        public Local {
            requireNonNull(path, "path is null");
        }

        @Override
        public String defaultName() {
            return normalizeName("file://" + path.toString().replace('\\', '/'));
        }

        @Override
        public String redacted() {
            return path.toString();
        }
    }

    /** A repository cloned (bare) into the work directory and fetched on each poll. */
    record Remote(String url) implements RepositoryLocation {
        public Remote {
            requireNonNull(url, "url is null");
        }

        boolean isHttps() {
            return url.regionMatches(true, 0, "https://", 0, 8);
        }

        boolean isSsh() {
            String lower = url.toLowerCase(Locale.ROOT);
            return SCP_LIKE.matcher(url).matches() || lower.startsWith("ssh://") || lower.startsWith("git+ssh://")
                    || lower.startsWith("ssh+git://");
        }

        /** The password of the URL's user info, if it has one: to scrub from messages. */
        String password() {
            String info = userInfo();
            int colon = info == null ? -1 : info.indexOf(':');
            return colon < 0 ? null : info.substring(colon + 1);
        }

        private String userInfo() {
            if (!URL.matcher(url).matches()) {
                return null;
            }
            try {
                return new URI(url).getRawUserInfo();
            } catch (URISyntaxException e) {
                return null;
            }
        }

        @Override
        public String defaultName() {
            String info = userInfo();
            if (info == null) {
                return normalizeName(url);
            }
            boolean http = url.toLowerCase(Locale.ROOT).startsWith("http");
            // an http(s) user is a credential, not part of which repository it is; an ssh user (git@) is kept as given
            String keep = http ? "" : (info.contains(":") ? info.substring(0, info.indexOf(':')) + "@" : info + "@");
            return normalizeName(url.replace(info + "@", keep));
        }

        @Override
        public String redacted() {
            String password = password();
            return password == null || password.isEmpty() ? url : url.replace(":" + password + "@", ":***@");
        }
    }

    /**
     * Reads the {@code repository} setting: a URL (with a scheme Git clones from, or the scp-like ssh form), else a path,
     * made absolute against the catalog's working directory.
     *
     * @throws PluginConfigException when it is neither
     */
    static RepositoryLocation parse(String setting) {
        String value = setting.strip();
        if (value.isEmpty()) {
            throw new PluginConfigException(GitSourceFactory.REPOSITORY, "must not be blank");
        }
        if (URL.matcher(value).matches()) {
            String scheme = value.substring(0, value.indexOf(':')).toLowerCase(Locale.ROOT);
            if (!SCHEMES.contains(scheme)) {
                throw new PluginConfigException(GitSourceFactory.REPOSITORY, "has scheme '" + scheme + "'; Git clones from "
                        + String.join(", ", SCHEMES.stream().sorted().toList()) + " URLs, or a local path");
            }
            return new Remote(value);
        }
        if (SCP_LIKE.matcher(value).matches()) {
            return new Remote(value);
        }
        try {
            return new Local(Path.of(value).toAbsolutePath().normalize());
        } catch (InvalidPathException e) {
            throw new PluginConfigException(GitSourceFactory.REPOSITORY, "is neither a URL nor a valid path: " + e.getMessage());
        }
    }

    /** A repository name as the catalog keeps it: no trailing slash, no trailing {@code .git} or {@code /.git}. */
    static String normalizeName(String name) {
        String n = name.strip();
        boolean changed = true;
        while (changed && n.length() > 1) {
            changed = false;
            if (n.endsWith("/")) {
                n = n.substring(0, n.length() - 1);
                changed = true;
            } else if (n.endsWith("/.git")) {
                n = n.substring(0, n.length() - 5);
                changed = true;
            } else if (n.endsWith(".git") && n.length() > 4) {
                n = n.substring(0, n.length() - 4);
                changed = true;
            }
        }
        return n;
    }
}
