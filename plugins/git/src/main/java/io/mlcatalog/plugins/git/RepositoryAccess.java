package io.mlcatalog.plugins.git;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.util.FS;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static java.util.Objects.requireNonNull;

/**
 * Opens the repository for one poll. A local path is opened in place (never written to). A URL is kept as a bare
 * clone in the work directory: made on the first poll, fetched on each poll, branches and tags mirrored with
 * deleted ones pruned. Objects are never pruned, so a commit a force-push dropped stays readable in the clone.
 */
final class RepositoryAccess {
    private static final String CLONE_DIR = "clone.git";

    private final GitSettings settings;
    private final Path workDirectory;

    RepositoryAccess(GitSettings settings, Path workDirectory) {
        this.settings = requireNonNull(settings, "settings is null");
        this.workDirectory = requireNonNull(workDirectory, "workDirectory is null");
    }

    /** The repository, up to date; the caller closes it. */
    Repository open() throws GitSourceException {
        if (settings.location() instanceof RepositoryLocation.Local local) {
            return openLocal(local.path());
        }
        return fetch((RepositoryLocation.Remote) settings.location());
    }

    private static Repository openLocal(Path path) throws GitSourceException {
        if (!Files.exists(path)) {
            throw new GitSourceException("repository " + path + " does not exist");
        }
        if (!Files.isDirectory(path)) {
            throw new GitSourceException("repository " + path + " is not a directory");
        }
        File gitDir = RepositoryCache.FileKey.resolve(path.toFile(), FS.DETECTED);
        FileRepositoryBuilder builder = new FileRepositoryBuilder().setMustExist(true);
        if (gitDir != null) {
            builder.setGitDir(gitDir);
        } else if (Files.isRegularFile(path.resolve(".git"))) {
            builder.setWorkTree(path.toFile()); // a linked worktree: .git is a file naming the real git directory
        } else {
            throw new GitSourceException("repository " + path + " is not a Git repository (neither a working tree with a .git "
                    + "directory nor a bare repository)");
        }
        try {
            return builder.build();
        } catch (IOException | IllegalArgumentException e) {
            throw new GitSourceException("repository " + path + " cannot be opened, it may be corrupt: " + e.getMessage(), e);
        }
    }

    private Repository fetch(RepositoryLocation.Remote remote) throws GitSourceException {
        Path dir = workDirectory.resolve(CLONE_DIR);
        Repository repo = openClone(dir);
        try (Git git = new Git(repo)) {
            var fetch = git.fetch()
                    .setRemote(remote.url())
                    .setRefSpecs(new RefSpec("+refs/heads/*:refs/heads/*"), new RefSpec("+refs/tags/*:refs/tags/*"))
                    .setTagOpt(TagOpt.NO_TAGS) // the refspec above mirrors every tag, including those on no fetched branch
                    .setRemoveDeletedRefs(true)
                    .setTimeout(settings.networkTimeoutSeconds());
            if (settings.token() != null) {
                fetch.setCredentialsProvider(new UsernamePasswordCredentialsProvider(settings.username(), settings.token()));
            }
            fetch.call();
            return repo;
        } catch (GitAPIException | RuntimeException e) {
            repo.close();
            throw new GitSourceException("cannot fetch from " + remote.redacted() + ": " + scrub(remote, describe(e)) + hint(remote));
        }
    }

    /** The bare clone, created when missing; one that cannot be opened is made anew (it is only a cache). */
    private static Repository openClone(Path dir) throws GitSourceException {
        try {
            if (RepositoryCache.FileKey.isGitRepository(dir.toFile(), FS.DETECTED)) {
                try {
                    return new FileRepositoryBuilder().setGitDir(dir.toFile()).setMustExist(true).build();
                } catch (IOException | IllegalArgumentException e) {
                    deleteRecursively(dir);
                }
            } else if (Files.exists(dir)) {
                deleteRecursively(dir);
            }
            Files.createDirectories(dir.getParent());
            return Git.init().setBare(true).setDirectory(dir.toFile()).call().getRepository();
        } catch (IOException | GitAPIException e) {
            throw new GitSourceException("cannot create the clone in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static String describe(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null && !text.toString().contains(cause.getMessage())) {
            text.append(": ").append(cause.getMessage());
        }
        return text.toString();
    }

    /** JGit's messages name the URL; make sure no password or token of ours is in them. */
    private String scrub(RepositoryLocation.Remote remote, String message) {
        String m = message;
        String password = remote.password();
        if (password != null && !password.isEmpty()) {
            m = m.replace(password, "***");
        }
        if (settings.token() != null) {
            m = m.replace(settings.token(), "***");
        }
        return m;
    }

    private static String hint(RepositoryLocation.Remote remote) {
        if (remote.isSsh() && System.getenv("GIT_SSH") == null) {
            return " (ssh URLs need the environment variable GIT_SSH=ssh where the catalog runs, see docs/plugins/git.md)";
        }
        return "";
    }
}
