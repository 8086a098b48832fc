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
final class DocExamples {
    private static final Pattern FENCE = Pattern.compile("```(\\w+)\\n(.*?)\\n```", Pattern.DOTALL);

    private DocExamples() {
    }

    static List<String> blocks(String document, String language) {
        String text;
        try {
            text = Files.readString(Repository.file(document));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> blocks = new ArrayList<>();
        Matcher m = FENCE.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(language)) {
                blocks.add(m.group(2));
            }
        }
        return blocks;
    }
}
