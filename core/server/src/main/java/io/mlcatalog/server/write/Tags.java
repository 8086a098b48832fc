package io.mlcatalog.server.write;

import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.Tag;
import io.mlcatalog.server.model.Text;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Validation of tag lists. */
public final class Tags {
    public static final int MAX_TAGS = 100;

    private Tags() {
    }

    public static List<Tag> of(String field, List<Tag> tags) {
        if (tags == null) {
            return List.of();
        }
        if (tags.size() > MAX_TAGS) {
            throw CatalogException.badInput(field, "at most " + MAX_TAGS + " tags, got " + tags.size());
        }
        List<Tag> result = new ArrayList<>(tags.size());
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < tags.size(); i++) {
            Tag t = tags.get(i);
            String key = Text.name(field + "[" + i + "].key", t.key(), Text.SHORT_NAME_BYTES);
            if (!keys.add(key)) {
                throw CatalogException.badInput(field + "[" + i + "].key", "tag key '" + Text.excerpt(key) + "' appears twice");
            }
            String value = Text.freeText(field + "[" + i + "].value", t.value(), 4096);
            result.add(new Tag(key, value));
        }
        result.sort(java.util.Comparator.comparing(Tag::key));
        return result;
    }
}
