package io.mlcatalog.plugins.git;

import io.mlcatalog.spi.record.AliasRecord;
import io.mlcatalog.spi.record.MetadataRecord;
import io.mlcatalog.spi.record.ModelVersionRecord;
import org.eclipse.jgit.lib.ObjectId;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The model registry that {@link GtoTag GTO tags} describe, as catalog records. Like GTO, only annotated tags count
 * (they carry who and when); a lightweight tag named like one is an ordinary tag.
 *
 * <p><b>Versions.</b> {@code churn@v1.2.0} registers version {@code 1.2.0} of model {@code churn}: its description is
 * the tag message, its creation time the tag time, and its tags {@code commit} (the sha), {@code repository},
 * {@code gitTag} and {@code registeredBy} (the tagger).
 *
 * <p><b>Stages as aliases.</b> A stage tag points at a commit and means the version registered at that commit (the
 * highest, should several be). As in GTO, several versions may hold a stage at once and the stage means the one
 * assigned most recently: assigning moves the alias to that version from the tag time on; unassigning the version
 * the alias points at moves it back to the most recently assigned version that still holds the stage, or removes it.
 * Tags are taken in order of tag time, then of their {@code #n}. Tags have one-second precision: of several changes
 * of one alias within the same second only the outcome is recorded. A stage tag on a commit without a registered
 * version is skipped, with a warning.
 */
final class ModelRegistry {
    private ModelRegistry() {
    }

    /** The model versions, then the alias changes (which need the versions to exist). */
    static List<MetadataRecord> records(TagIndex index, String namespace, String repository, System.Logger log) {
        List<MetadataRecord> records = new ArrayList<>();
        Map<String, Map<ObjectId, Semver>> versionAt = new TreeMap<>();
        List<StageEvent> events = new ArrayList<>();
        for (TagIndex.Tag tag : index.tags()) {
            GtoTag gto = GtoTag.parse(tag.name()).orElse(null);
            if (gto == null || !tag.annotated()) {
                continue;
            }
            if (tag.time() == null) {
                log.log(System.Logger.Level.WARNING, "GTO tag {0} has no tagger nor time: skipped", tag.name());
                continue;
            }
            if (gto instanceof GtoTag.Registration r) {
                records.add(version(tag, r, namespace, repository));
                versionAt.computeIfAbsent(r.model(), m -> new LinkedHashMap<>())
                        .merge(tag.commit(), r.version(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
            } else {
                events.add(new StageEvent((GtoTag.Stage) gto, tag));
            }
        }
        Map<List<String>, List<StageEvent>> byAlias = new TreeMap<>(Comparator.comparing((List<String> k) -> k.get(0))
                .thenComparing(k -> k.get(1)));
        for (StageEvent e : events) {
            Semver v = versionAt.getOrDefault(e.gto.model(), Map.of()).get(e.tag.commit());
            if (v == null) {
                log.log(System.Logger.Level.WARNING, "GTO tag {0} points at commit {1}, where no version of {2} is registered: skipped",
                        e.tag.name(), e.tag.commit().name(), e.gto.model());
                continue;
            }
            byAlias.computeIfAbsent(List.of(e.gto.model(), e.gto.stage()), k -> new ArrayList<>()).add(e.withVersion(v.text()));
        }
        byAlias.forEach((key, list) -> records.addAll(aliasChanges(namespace, key.get(0), key.get(1), list)));
        return records;
    }

    private static ModelVersionRecord version(TagIndex.Tag tag, GtoTag.Registration r, String namespace, String repository) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("commit", tag.commit().name());
        tags.put("repository", repository);
        tags.put("gitTag", tag.name());
        if (tag.tagger() != null) {
            tags.put("registeredBy", tag.tagger());
        }
        return new ModelVersionRecord(namespace, r.model(), r.version().text(), tag.message(), tags, null, null, tag.time(),
                tag.name(), null);
    }

    private static List<AliasRecord> aliasChanges(String namespace, String model, String stage, List<StageEvent> events) {
        events.sort(Comparator.comparing((StageEvent e) -> e.tag.time()).thenComparingInt(e -> e.gto.number())
                .thenComparing(e -> e.tag.name()));
        // versions holding the stage, least recently assigned first: the alias means the last one
        List<String> holding = new ArrayList<>();
        Map<Instant, StageEvent> outcomeAt = new LinkedHashMap<>();
        Map<Instant, String> versionAt = new LinkedHashMap<>();
        for (StageEvent e : events) {
            holding.remove(e.version);
            if (!e.gto.unassign()) {
                holding.add(e.version);
            }
            Instant at = e.tag.time();
            outcomeAt.remove(at); // keep insertion order by time: a later event in the same second replaces the outcome
            versionAt.remove(at);
            outcomeAt.put(at, e);
            versionAt.put(at, holding.isEmpty() ? null : holding.get(holding.size() - 1));
        }
        List<AliasRecord> records = new ArrayList<>();
        String current = null;
        boolean first = true;
        for (Map.Entry<Instant, StageEvent> entry : outcomeAt.entrySet()) {
            String version = versionAt.get(entry.getKey());
            if ((first && version == null) || (!first && Objects.equals(version, current))) {
                continue;
            }
            records.add(new AliasRecord(namespace, model, stage, version, entry.getKey(), entry.getValue().tag.name(), null));
            current = version;
            first = false;
        }
        return records;
    }

    /** A stage tag, and the version it means once resolved. */
    private record StageEvent(GtoTag.Stage gto, TagIndex.Tag tag, String version) {
        StageEvent(GtoTag.Stage gto, TagIndex.Tag tag) {
            this(gto, tag, null);
        }

        StageEvent withVersion(String v) {
            return new StageEvent(gto, tag, v);
        }
    }
}
