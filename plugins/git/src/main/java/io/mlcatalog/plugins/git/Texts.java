package io.mlcatalog.plugins.git;

import org.eclipse.jgit.lib.PersonIdent;

import java.nio.charset.StandardCharsets;

/**
 * Git's text made acceptable to the catalog, which refuses control characters in names, and more than 64 KiB of
 * message. Old repositories have both (an escape sequence in a message, a tab in a name); one such commit must not
 * stop a whole repository from being ingested, so they are replaced rather than refused.
 */
final class Texts {
    static final int NAME_BYTES = 512;
    static final int MESSAGE_BYTES = 65_536;

    private Texts() {
    }

    /** {@code Name <email>}. */
    static String person(PersonIdent who) {
        String text = who.getName() + " <" + who.getEmailAddress() + ">";
        return truncate(replaceControls(text, false).strip(), NAME_BYTES);
    }

    /** A commit or tag message, without the line break Git ends it with. */
    static String message(String message) {
        if (message == null) {
            return null;
        }
        String m = message;
        while (m.endsWith("\n") || m.endsWith("\r")) {
            m = m.substring(0, m.length() - 1);
        }
        return truncate(replaceControls(m, true), MESSAGE_BYTES);
    }

    private static String replaceControls(String s, boolean keepLineBreaks) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean allowed = !Character.isISOControl(c) || keepLineBreaks && (c == '\n' || c == '\r' || c == '\t');
            boolean unpaired = Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) && !(Character.isLowSurrogate(c) && i > 0
                    && Character.isHighSurrogate(s.charAt(i - 1)));
            if (!allowed || unpaired) {
                if (out == null) {
                    out = new StringBuilder(s.length()).append(s, 0, i);
                }
                out.append('\uFFFD');
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? s : out.toString();
    }

    private static String truncate(String s, int maxBytes) {
        if (s.length() * 3 <= maxBytes || s.getBytes(StandardCharsets.UTF_8).length <= maxBytes) {
            return s;
        }
        String suffix = "…";
        int budget = maxBytes - suffix.getBytes(StandardCharsets.UTF_8).length;
        int bytes = 0;
        int end = 0;
        while (end < s.length()) {
            int cp = s.codePointAt(end);
            int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + len > budget) {
                break;
            }
            bytes += len;
            end += Character.charCount(cp);
        }
        return s.substring(0, end) + suffix;
    }
}
