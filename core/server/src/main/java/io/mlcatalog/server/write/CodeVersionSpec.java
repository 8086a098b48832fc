package io.mlcatalog.server.write;

import io.mlcatalog.server.model.Ids;
import io.mlcatalog.server.model.Text;
import io.mlcatalog.server.model.Times;
import io.mlcatalog.server.model.Uris;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** A validated code version to record: a commit of a repository, with what is known about it. */
public record CodeVersionSpec(String repository, String commit, List<String> branches, List<String> tags, String author,
                              String message, OffsetDateTime committedAt) {

    public CodeVersionSpec {
        branches = List.copyOf(branches);
        tags = List.copyOf(tags);
    }

    public static CodeVersionSpec of(String field, String repository, String commit) {
        return of(field, repository, commit, List.of(), List.of(), null, null, null);
    }

    public static CodeVersionSpec of(String field, String repository, String commit, List<String> branches, List<String> tags,
                                     String author, String message, OffsetDateTime committedAt) {
        return new CodeVersionSpec(
                Uris.repository(field + ".repository", repository),
                Uris.commit(field + ".commit", commit),
                branches.stream().map(b -> Text.name(field + ".branches", b, Text.NAME_BYTES)).sorted().distinct().toList(),
                tags.stream().map(t -> Text.name(field + ".tags", t, Text.NAME_BYTES)).sorted().distinct().toList(),
                Text.optionalName(field + ".author", author, Text.NAME_BYTES),
                Text.freeText(field + ".message", message),
                Times.normalize(committedAt, field + ".committedAt"));
    }

    public UUID id() {
        return Ids.codeVersion(repository, commit);
    }
}
