package io.mlcatalog.plugins.git;

import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevTag;
import org.eclipse.jgit.revwalk.RevWalk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The tags of a repository that point (through any chain of annotated tags) at a commit, and a digest of them that
 * changes whenever a tag is created, deleted or moved. Tags on trees or blobs are left out.
 */
record TagIndex(List<Tag> tags, String digest) {

    /**
     * A tag.
     *
     * @param annotated whether it is an annotated tag (then tagger, time and message are the tag's)
     * @param tagger    {@code Name <email>} of the tagger, or null
     * @param time      when it was tagged, or null for a lightweight tag
     * @param message   the tag's message, or null
     */
    record Tag(String name, ObjectId commit, boolean annotated, String tagger, Instant time, String message) {
        Tag {
            requireNonNull(name, "name is null");
            requireNonNull(commit, "commit is null");
        }
    }

    TagIndex {
        tags = List.copyOf(tags);
        requireNonNull(digest, "digest is null");
    }

    static TagIndex read(Repository repo) throws IOException {
        List<Ref> refs = new ArrayList<>(repo.getRefDatabase().getRefsByPrefix(Constants.R_TAGS));
        refs.sort(Comparator.comparing(Ref::getName));
        MessageDigest digest = sha256();
        List<Tag> tags = new ArrayList<>();
        try (RevWalk walk = new RevWalk(repo)) {
            for (Ref ref : refs) {
                if (ref.getObjectId() == null) {
                    continue;
                }
                digest.update((ref.getName() + " " + ref.getObjectId().name() + "\n").getBytes(StandardCharsets.UTF_8));
                Tag tag = tag(walk, ref);
                if (tag != null) {
                    tags.add(tag);
                }
            }
        }
        return new TagIndex(tags, HexFormat.of().formatHex(digest.digest()));
    }

    private static Tag tag(RevWalk walk, Ref ref) throws IOException {
        String name = ref.getName().substring(Constants.R_TAGS.length());
        RevObject target;
        try {
            target = walk.parseAny(ref.getObjectId());
        } catch (MissingObjectException e) {
            throw new MissingObjectException(e.getObjectId(), "object of tag " + name);
        }
        RevTag annotated = target instanceof RevTag t ? t : null;
        RevObject peeled = walk.peel(target);
        if (!(peeled instanceof RevCommit commit)) {
            return null;
        }
        if (annotated == null) {
            return new Tag(name, commit.copy(), false, null, null, null);
        }
        PersonIdent tagger = annotated.getTaggerIdent();
        return new Tag(name, commit.copy(), true, tagger == null ? null : Texts.person(tagger),
                tagger == null ? null : tagger.getWhenAsInstant(), Texts.message(annotated.getFullMessage()));
    }

    /** Tag names by the commit they point at, in name order. */
    Map<ObjectId, List<String>> namesByCommit() {
        Map<ObjectId, List<String>> names = new LinkedHashMap<>();
        for (Tag t : tags) {
            names.computeIfAbsent(t.commit(), k -> new ArrayList<>()).add(t.name());
        }
        return names;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
