package io.mlcatalog.plugins.git;

import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevSort;
import org.eclipse.jgit.revwalk.RevWalk;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Decides which commits a poll emits, with which branches, and how far each branch's checkpoint moves.
 *
 * <p><b>The rule.</b> Each branch has a checkpoint: the head it had when last ingested. A poll emits, for each
 * branch, the commits reachable from its head and not from its checkpoint, and records the branch on them:
 * <ul>
 *   <li>a fast-forward emits the new commits;</li>
 *   <li>a merge emits the merge commit and the commits it brings in, which now belong to the branch too;</li>
 *   <li>a force-push (the checkpoint is no ancestor of the head any more) emits the commits that are new since the
 *       point where the old and new histories part; the dropped commits are not touched, so the catalog keeps them
 *       with the branches recorded then (it never deletes), and nothing already recorded is emitted again;</li>
 *   <li>a branch without a usable checkpoint (new, or its checkpointed commit is no longer in the repository)
 *       emits the commits that no checkpoint of any branch reaches: those reached were recorded already, and are
 *       not re-labelled with the new branch; on the first poll, when no branch has a checkpoint, that is the whole
 *       history, each commit with every branch that contains it.</li>
 * </ul>
 *
 * <p><b>Bounded polls.</b> A poll plans at most {@code budget} distinct commits. Each branch's range is walked oldest
 * first (parents before children); when the budget runs out inside a range, the branch's checkpoint moves to the
 * last commit planned, whose ancestors in the range were all planned before it. So a checkpoint never covers a
 * commit that was not emitted, and a large history is ingested over several polls. Walking oldest first keeps a
 * small object per commit of the range in memory (no message bodies); records are only made for the planned commits.
 */
final class BranchWalk {

    /**
     * What a poll emits.
     *
     * @param commits     the commits to emit, oldest first, with the branches to record on each
     * @param checkpoints the new head checkpoint of each branch whose checkpoint moves
     */
    record Plan(Map<ObjectId, SortedSet<String>> commits, Map<String, ObjectId> checkpoints) {
    }

    private BranchWalk() {
    }

    /**
     * @param heads        the current head of each ingested branch
     * @param checkpointed the checkpointed commit of every branch that has one (also branches gone or no longer ingested)
     * @param budget       the most commits to plan
     */
    static Plan plan(Repository repo, Map<String, ObjectId> heads, Map<String, String> checkpointed, int budget) throws IOException {
        Map<String, ObjectId> usable = new TreeMap<>();
        try (RevWalk walk = new RevWalk(repo)) {
            for (Map.Entry<String, String> c : checkpointed.entrySet()) {
                ObjectId id = existingCommit(walk, c.getValue());
                if (id != null) {
                    usable.put(c.getKey(), id);
                }
            }
        }
        Map<ObjectId, SortedSet<String>> planned = new LinkedHashMap<>();
        Map<String, ObjectId> checkpoints = new TreeMap<>();
        for (Map.Entry<String, ObjectId> e : new TreeMap<>(heads).entrySet()) {
            String branch = e.getKey();
            ObjectId head = e.getValue();
            ObjectId own = usable.get(branch);
            if (head.equals(own)) {
                continue;
            }
            List<ObjectId> exclude = own != null ? List.of(own) : new ArrayList<>(new LinkedHashSet<>(usable.values()));
            ObjectId reached = walkRange(repo, branch, head, exclude, planned, budget);
            if (reached != null && !reached.equals(own)) {
                checkpoints.put(branch, reached);
            }
        }
        return new Plan(planned, checkpoints);
    }

    /** Plans the branch's range oldest first; returns how far the branch got (its head when the range fit), or null. */
    private static ObjectId walkRange(Repository repo, String branch, ObjectId head, List<ObjectId> exclude,
                                      Map<ObjectId, SortedSet<String>> planned, int budget) throws IOException {
        try (RevWalk walk = new RevWalk(repo)) {
            walk.setRetainBody(false);
            walk.sort(RevSort.TOPO, true);
            walk.sort(RevSort.REVERSE, true);
            walk.markStart(walk.parseCommit(head));
            for (ObjectId x : exclude) {
                walk.markUninteresting(walk.parseCommit(x));
            }
            ObjectId last = null;
            for (RevCommit c = walk.next(); c != null; c = walk.next()) {
                SortedSet<String> branches = planned.get(c);
                if (branches == null) {
                    if (planned.size() >= budget) {
                        return last;
                    }
                    branches = new TreeSet<>();
                    planned.put(c.copy(), branches);
                }
                branches.add(branch);
                last = c.copy();
            }
            return head;
        }
    }

    /** The commit a checkpoint names, or null when it is gone (garbage-collected, or never was in this repository). */
    private static ObjectId existingCommit(RevWalk walk, String sha) throws IOException {
        if (sha == null || !ObjectId.isId(sha)) {
            return null;
        }
        try {
            return walk.parseCommit(ObjectId.fromString(sha)).copy();
        } catch (MissingObjectException | IncorrectObjectTypeException e) {
            return null;
        }
    }
}
