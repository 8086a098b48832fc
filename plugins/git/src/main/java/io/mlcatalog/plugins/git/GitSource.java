package io.mlcatalog.plugins.git;

import io.mlcatalog.spi.Checkpoints;
import io.mlcatalog.spi.IngestSource;
import io.mlcatalog.spi.RecordSink;
import io.mlcatalog.spi.SourceContext;
import io.mlcatalog.spi.record.CodeVersionRecord;
import io.mlcatalog.spi.record.MetadataRecord;
import org.eclipse.jgit.errors.CorruptObjectException;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * The {@code git} source: commits as code versions, GTO tags as model versions and aliases.
 *
 * <p><b>Checkpoints.</b> Partition {@code {branch: <name>}}, offset {@code {commit: <sha>}}: the branch head last
 * ingested ({@link BranchWalk} says what a poll emits from there, including after a force-push). Partition
 * {@code {tags: all}}, offset {@code {digest: <sha-256 of every tag name and target>}}: tags are read again only when
 * the digest changes; then the model registry is emitted whole, and every tagged commit again (with
 * {@code next: <index>} while that takes more than one poll).
 *
 * <p><b>Order within a poll.</b> The model registry first (it is small, and never split across polls: an alias needs
 * its version in the same or an earlier batch, so a poll may exceed {@code maxRecordsPerPoll} by the number of GTO
 * tags), then the branches' new commits, then the tagged commits with what is left of {@code maxRecordsPerPoll}.
 * A commit is emitted at most once per poll.
 */
final class GitSource implements IngestSource {
    static final String BRANCH = "branch";
    static final String COMMIT = "commit";
    static final Map<String, String> TAGS = Map.of("tags", "all");
    static final String DIGEST = "digest";
    static final String NEXT = "next";

    private final SourceContext context;
    private final GitSettings settings;
    private final RepositoryAccess access;

    GitSource(SourceContext context, GitSettings settings) {
        this.context = requireNonNull(context, "context is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.access = new RepositoryAccess(settings, context.workDirectory());
    }

    @Override
    public void poll(RecordSink sink) throws Exception {
        Checkpoints committed = context.checkpoints();
        try (Repository repo = access.open()) {
            try {
                poll(repo, committed, sink);
            } catch (MissingObjectException | CorruptObjectException | IncorrectObjectTypeException e) {
                throw new GitSourceException("repository " + settings.location().redacted() + " is corrupt or incomplete: "
                        + e.getMessage(), e);
            }
        }
    }

    private void poll(Repository repo, Checkpoints committed, RecordSink sink) throws IOException {
        int budget = settings.maxRecordsPerPoll();
        TagIndex tags = TagIndex.read(repo);
        Map<ObjectId, List<String>> tagNames = tags.namesByCommit();

        // tags: when they changed since the committed digest, or a re-emission of tagged commits is under way
        Optional<Map<String, String>> tagOffset = committed.offset(TAGS);
        boolean sameTags = tagOffset.map(o -> tags.digest().equals(o.get(DIGEST))).orElse(false);
        boolean tagsPending = sameTags ? tagOffset.get().containsKey(NEXT) : !(tagOffset.isEmpty() && tags.tags().isEmpty());
        int count = 0;
        if (tagsPending && !sameTags) {
            for (MetadataRecord r : ModelRegistry.records(tags, settings.namespace(), settings.repositoryName(), context.logger())) {
                sink.emit(r);
                count++;
            }
        }

        BranchWalk.Plan plan = BranchWalk.plan(repo, heads(repo), branchCheckpoints(committed), Math.max(0, budget - count));
        try (RevWalk walk = new RevWalk(repo)) {
            for (Map.Entry<ObjectId, SortedSet<String>> e : plan.commits().entrySet()) {
                RevCommit c = walk.parseCommit(e.getKey());
                sink.emit(codeVersion(c, e.getValue(), tagNames.getOrDefault(e.getKey(), List.of())));
                c.disposeBody();
                count++;
            }
            plan.checkpoints().forEach((branch, head) -> sink.checkpoint(Map.of(BRANCH, branch), Map.of(COMMIT, head.name())));

            if (tagsPending) {
                // every tagged commit again, so a tag added to a commit recorded long ago reaches it; those the branches
                // just emitted carry their tags already
                List<ObjectId> tagged = new ArrayList<>(tagNames.keySet());
                int i = sameTags ? Math.min(parseIndex(tagOffset.get().get(NEXT)), tagged.size()) : 0;
                for (; i < tagged.size(); i++) {
                    ObjectId id = tagged.get(i);
                    if (plan.commits().containsKey(id)) {
                        continue;
                    }
                    if (count >= budget) {
                        break;
                    }
                    sink.emit(codeVersion(walk.parseCommit(id), List.of(), tagNames.get(id)));
                    count++;
                }
                Map<String, String> offset = new LinkedHashMap<>();
                offset.put(DIGEST, tags.digest());
                if (i < tagged.size()) {
                    offset.put(NEXT, Integer.toString(i));
                }
                sink.checkpoint(TAGS, offset);
            }
        }
        context.logger().log(System.Logger.Level.DEBUG, "emitted {0} records from {1}", count, settings.repositoryName());
    }

    /** Nothing to release: the repository is opened and closed within each poll. */
    @Override
    public void close() {
    }

    private static Map<String, String> branchCheckpoints(Checkpoints committed) {
        Map<String, String> checkpointed = new TreeMap<>();
        committed.all().forEach((partition, offset) -> {
            if (partition.size() == 1 && partition.containsKey(BRANCH) && offset.get(COMMIT) != null) {
                checkpointed.put(partition.get(BRANCH), offset.get(COMMIT));
            }
        });
        return checkpointed;
    }

    /** The heads of the branches to ingest; a branch whose ref names no commit is skipped. */
    private Map<String, ObjectId> heads(Repository repo) throws IOException {
        Map<String, ObjectId> heads = new TreeMap<>();
        try (RevWalk walk = new RevWalk(repo)) {
            for (Ref ref : repo.getRefDatabase().getRefsByPrefix(Constants.R_HEADS)) {
                String branch = ref.getName().substring(Constants.R_HEADS.length());
                if (ref.getObjectId() == null || !settings.branches().matches(branch)) {
                    continue;
                }
                try {
                    heads.put(branch, walk.parseCommit(ref.getObjectId()).copy());
                } catch (IncorrectObjectTypeException e) {
                    context.logger().log(System.Logger.Level.WARNING, "branch {0} does not point at a commit: skipped", branch);
                }
            }
        }
        return heads;
    }

    private CodeVersionRecord codeVersion(RevCommit c, Collection<String> branches, List<String> tags) {
        return new CodeVersionRecord(settings.repositoryName(), c.name(), List.copyOf(branches), tags,
                Texts.person(c.getAuthorIdent()), Texts.message(c.getFullMessage()), c.getCommitterIdent().getWhenAsInstant(),
                c.name(), null);
    }

    private static int parseIndex(String text) {
        try {
            return Math.max(0, Integer.parseInt(text));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
