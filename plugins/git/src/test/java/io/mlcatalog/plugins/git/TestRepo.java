package io.mlcatalog.plugins.git;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.internal.storage.file.ObjectDirectory;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TagBuilder;
import org.eclipse.jgit.lib.TreeFormatter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Git repository on disk for tests, written with JGit's object inserter (no working-tree files), so that
 * thousands of commits take a second. Commits and tags get times one minute apart from {@link #START} unless given.
 */
final class TestRepo implements AutoCloseable {
    static final Instant START = Instant.parse("2026-03-01T09:00:00Z");
    static final PersonIdent ADA = new PersonIdent("Ada Lovelace", "ada@example.com", START, ZoneOffset.UTC);

    private final Repository repo;
    private final Path dir;
    private ObjectId emptyTree;
    private Instant clock = START;

    private TestRepo(Repository repo, Path dir) {
        this.repo = repo;
        this.dir = dir;
    }

    /** A new repository with a working tree at {@code dir} (or a bare one). */
    static TestRepo init(Path dir, boolean bare) {
        try {
            return new TestRepo(Git.init().setDirectory(dir.toFile()).setBare(bare).setInitialBranch("main").call().getRepository(), dir);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    Path dir() {
        return dir;
    }

    Repository repository() {
        return repo;
    }

    /** The next tick of the repository's clock. */
    Instant tick() {
        clock = clock.plusSeconds(60);
        return clock;
    }

    /** A commit on {@code branch} (created if new), child of its head. */
    ObjectId commit(String branch, String message) {
        ObjectId head = head(branch);
        return commitWithParents(branch, message, tick(), head == null ? List.of() : List.of(head));
    }

    /** A merge commit on {@code into} of the head of {@code from}. */
    ObjectId merge(String into, String from, String message) {
        return commitWithParents(into, message, tick(), List.of(head(into), head(from)));
    }

    ObjectId commitWithParents(String branch, String message, Instant when, List<ObjectId> parents) {
        try (ObjectInserter inserter = repo.newObjectInserter()) {
            ObjectId id = insertCommit(inserter, message, when, parents);
            inserter.flush();
            setBranch(branch, id);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code count} commits on top of {@code branch}, each a loose object; returns their ids, oldest first. */
    List<ObjectId> commits(String branch, int count, String messagePrefix) {
        return commits(branch, count, messagePrefix, repo.newObjectInserter());
    }

    /**
     * {@code count} commits on top of {@code branch}, written into one pack file: ten thousand loose objects take
     * seconds to write, a pack a fraction of that (JGit's pack inserter is internal API; tests may use it).
     */
    List<ObjectId> commitsInPack(String branch, int count, String messagePrefix) {
        return commits(branch, count, messagePrefix, ((ObjectDirectory) repo.getObjectDatabase()).newPackInserter());
    }

    private List<ObjectId> commits(String branch, int count, String messagePrefix, ObjectInserter objects) {
        List<ObjectId> ids = new ArrayList<>(count);
        try (ObjectInserter inserter = objects) {
            ObjectId parent = head(branch);
            for (int i = 1; i <= count; i++) {
                parent = insertCommit(inserter, messagePrefix + " " + i, tick(), parent == null ? List.of() : List.of(parent));
                ids.add(parent);
            }
            inserter.flush();
            setBranch(branch, parent);
            return ids;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ObjectId insertCommit(ObjectInserter inserter, String message, Instant when, List<ObjectId> parents) throws IOException {
        if (emptyTree == null) {
            emptyTree = inserter.insert(new TreeFormatter());
        }
        CommitBuilder c = new CommitBuilder();
        c.setTreeId(emptyTree);
        c.setParentIds(parents);
        c.setAuthor(new PersonIdent(ADA, when));
        c.setCommitter(new PersonIdent(ADA, when));
        c.setMessage(message + "\n");
        return inserter.insert(c);
    }

    /** Points {@code branch} at {@code id}, whatever it pointed at (a force-push or reset). */
    void setBranch(String branch, ObjectId id) {
        try {
            RefUpdate u = repo.updateRef(Constants.R_HEADS + branch);
            u.setNewObjectId(id);
            u.setForceUpdate(true);
            RefUpdate.Result r = u.update();
            if (r != RefUpdate.Result.NEW && r != RefUpdate.Result.FORCED && r != RefUpdate.Result.FAST_FORWARD
                    && r != RefUpdate.Result.NO_CHANGE) {
                throw new IllegalStateException("cannot move " + branch + ": " + r);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    ObjectId head(String branch) {
        try {
            return repo.resolve(Constants.R_HEADS + branch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An annotated tag by Ada at {@code when}. */
    void tag(String name, ObjectId commit, String message, Instant when) {
        try (ObjectInserter inserter = repo.newObjectInserter()) {
            TagBuilder t = new TagBuilder();
            t.setTag(name);
            t.setObjectId(commit, Constants.OBJ_COMMIT);
            t.setTagger(new PersonIdent(ADA, when));
            t.setMessage(message + "\n");
            ObjectId id = inserter.insert(t);
            inserter.flush();
            setRef(Constants.R_TAGS + name, id);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void lightweightTag(String name, ObjectId commit) {
        setRef(Constants.R_TAGS + name, commit);
    }

    private void setRef(String ref, ObjectId id) {
        try {
            RefUpdate u = repo.updateRef(ref);
            u.setNewObjectId(id);
            u.setForceUpdate(true);
            u.update();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        repo.close();
    }
}
