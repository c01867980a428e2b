package io.cleanroom.server.console;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds, in a query's text, the part a rejection names: the first name the message mentions (a
 * quoted one first) that the query spells, as a whole word, with its qualifier (a.column).
 */
final class Fault {
    private static final Pattern QUOTED = Pattern.compile("[\"'`]([^\"'`]{1,128})[\"'`]");
    private static final Pattern WORD = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");
    private static final Set<String> COMMON = Set.of("the", "a", "an", "of", "in", "is", "be", "by", "to", "and",
            "or", "not", "may", "must", "can", "cannot", "only", "its", "it", "this", "that", "query", "table",
            "column", "columns", "rule", "rules", "analysis", "aggregation", "list", "custom", "select", "from",
            "where", "group", "join", "on", "with", "as", "at", "for", "are", "allowed", "used", "use");

    private Fault() {
    }

    static QueryPages.Marked none(String sql) {
        return new QueryPages.Marked(sql, "", "");
    }

    static QueryPages.Marked locate(String sql, String message) {
        List<String> candidates = new ArrayList<>();
        Matcher q = QUOTED.matcher(message);
        while (q.find()) {
            candidates.add(q.group(1));
        }
        Matcher w = WORD.matcher(message);
        while (w.find()) {
            String word = w.group();
            if (word.length() > 1 && !COMMON.contains(word.toLowerCase(Locale.ROOT))
                    && !word.equals(word.toUpperCase(Locale.ROOT))) {
                candidates.add(word);
            }
        }
        for (String candidate : candidates) {
            String name = candidate.contains(".") ? candidate.substring(candidate.lastIndexOf('.') + 1) : candidate;
            if (name.isEmpty()) {
                continue;
            }
            Matcher m = Pattern.compile("(?i)(?<![A-Za-z0-9_])(?:[A-Za-z_][A-Za-z0-9_]*\\.)?\"?" + Pattern.quote(name)
                    + "\"?(?![A-Za-z0-9_])").matcher(sql);
            if (m.find()) {
                return new QueryPages.Marked(sql.substring(0, m.start()), m.group(), sql.substring(m.end()));
            }
        }
        return none(sql);
    }
}
