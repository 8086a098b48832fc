package io.mlcatalog.server.docs;

import io.mlcatalog.server.testing.Repository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The fenced code blocks of a document, so a test can run every example a reader would copy. */
public final class DocExamples {
    private static final Pattern FENCE = Pattern.compile("```(\\w+)\\n(.*?)\\n```", Pattern.DOTALL);

    private DocExamples() {
    }

    /** A fenced block: its language and its text. */
    public record Block(String language, String text) {
    }

    public static List<String> blocks(String document, String language) {
        return all(document).stream().filter(b -> b.language().equals(language)).map(Block::text).toList();
    }

    /** Every fenced block, in the document's order (an example and the output shown after it). */
    public static List<Block> all(String document) {
        String text;
        try {
            text = Files.readString(Repository.file(document));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Block> blocks = new ArrayList<>();
        Matcher m = FENCE.matcher(text);
        while (m.find()) {
            blocks.add(new Block(m.group(1), m.group(2)));
        }
        return blocks;
    }
}
