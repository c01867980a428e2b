package io.cleanroom.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.client.SignedHttpClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A protected query's result as the CLI shows it: read page by page through
 * GetProtectedQueryResult, printed as an aligned table, CSV or JSON.
 *
 * <p>The table is for a person at a terminal: what a cell holds is shown, never obeyed, so control
 * and formatting characters in the data (a newline, an escape sequence, a right-to-left override)
 * are printed as escapes such as {@code \n} or {@code \x1b} and cannot redraw or disalign the
 * screen. CSV and JSON carry the exact values.
 */
record ResultView(JsonNode columns, List<JsonNode> rows) {
    /** The output formats, as --format names them. */
    enum Format {
        TABLE, CSV, JSON;

        static Format of(String name) {
            for (Format f : values()) {
                if (f.name().equalsIgnoreCase(name)) {
                    return f;
                }
            }
            throw new CliException("error: --format must be table, csv or json", Main.USAGE_ERROR);
        }
    }

    ResultView {
        requireNonNull(columns, "columns is null");
        rows = List.copyOf(rows);
    }

    /** Reads every page of the result of a query the caller receives. */
    static ResultView fetch(SignedHttpClient client, String membership, String query, int pageSize) {
        JsonNode columns = null;
        List<JsonNode> rows = new ArrayList<>();
        String token = null;
        do {
            Map<String, List<String>> params = new LinkedHashMap<>();
            params.put("maxResults", List.of(String.valueOf(pageSize)));
            if (token != null) {
                params.put("nextToken", List.of(token));
            }
            JsonNode page = Calls.call(client, "GetProtectedQueryResult", "GET",
                    "/memberships/" + Calls.encodeSegment(membership) + "/protectedQueries/"
                            + Calls.encodeSegment(query) + "/result", params, Map.of(), null, "cleanrooms");
            columns = page.get("columns");
            page.get("rows").forEach(rows::add);
            token = page.hasNonNull("nextToken") ? page.get("nextToken").asText() : null;
        } while (token != null);
        return new ResultView(columns, rows);
    }

    List<String> names() {
        List<String> names = new ArrayList<>();
        columns.forEach(c -> names.add(c.get("name").asText()));
        return names;
    }

    void print(PrintWriter out, Format format) {
        switch (format) {
            case JSON -> {
                ObjectNode json = Calls.MAPPER.createObjectNode();
                json.set("columns", columns);
                json.putArray("rows").addAll(rows);
                Calls.print(out, json);
            }
            case CSV -> csv(out, names(), rows);
            case TABLE -> table(out, names(), rows);
        }
        out.flush();
    }

    /** A header line, then one line per row (fields as RFC 4180 has them); NULL is an empty field. */
    static void csv(PrintWriter out, List<String> names, List<JsonNode> rows) {
        out.print(String.join(",", names.stream().map(ResultView::csvField).toList()) + "\n");
        for (JsonNode row : rows) {
            List<String> cells = new ArrayList<>();
            row.forEach(v -> cells.add(v.isNull() ? "" : csvField(v.asText())));
            out.print(String.join(",", cells) + "\n");
        }
    }

    /** A field quoted when it holds a separator, a quote, a line break or edge spaces; quotes doubled. */
    static String csvField(String value) {
        boolean quote = value.contains(",") || value.contains("\"") || value.contains("\n") || value.contains("\r")
                || (!value.isEmpty() && (value.charAt(0) == ' ' || value.charAt(value.length() - 1) == ' '));
        return quote ? "\"" + value.replace("\"", "\"\"") + "\"" : value;
    }

    /**
     * Prints rows as an aligned text table: columns as wide as their widest cell on the screen
     * (wide characters take two cells, combining marks none), numbers right-aligned, NULL for a null.
     */
    static void table(PrintWriter out, List<String> names, List<JsonNode> rows) {
        int n = names.size();
        int[] widths = new int[n];
        boolean[] numeric = new boolean[n];
        List<String> header = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            header.add(visible(names.get(i)));
            widths[i] = width(header.get(i));
            numeric[i] = !rows.isEmpty();
        }
        List<List<String>> cells = new ArrayList<>();
        for (JsonNode row : rows) {
            List<String> line = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                JsonNode value = row.get(i);
                String text = value == null || value.isNull() ? "NULL" : visible(value.asText());
                numeric[i] &= value == null || value.isNull() || value.isNumber();
                widths[i] = Math.max(widths[i], width(text));
                line.add(text);
            }
            cells.add(line);
        }
        StringBuilder rule = new StringBuilder("+");
        for (int w : widths) {
            rule.append("-".repeat(w + 2)).append('+');
        }
        out.println(rule);
        out.println(line(header, widths, new boolean[n]));
        out.println(rule);
        cells.forEach(c -> out.println(line(c, widths, numeric)));
        out.println(rule);
        out.println(rows.size() + (rows.size() == 1 ? " row" : " rows"));
    }

    private static String line(List<String> values, int[] widths, boolean[] right) {
        StringBuilder out = new StringBuilder("|");
        for (int i = 0; i < values.size(); i++) {
            String pad = " ".repeat(widths[i] - width(values.get(i)));
            out.append(' ').append(right[i] ? pad + values.get(i) : values.get(i) + pad).append(" |");
        }
        return out.toString();
    }

    /**
     * The text with every control or invisible formatting character written as an escape: \t, \n,
     * \r, \\xHH below U+0100, \\uXXXX above (and a lone surrogate as \\uXXXX).
     */
    static String visible(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            int next = i + Character.charCount(c);
            int type = Character.getType(c);
            boolean hidden = Character.isISOControl(c) || type == Character.FORMAT || type == Character.SURROGATE
                    || type == Character.UNASSIGNED || type == Character.PRIVATE_USE
                    || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
            if (hidden && out == null) {
                out = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            if (hidden) {
                out.append(switch (c) {
                    case '\t' -> "\\t";
                    case '\n' -> "\\n";
                    case '\r' -> "\\r";
                    default -> c < 0x100 ? String.format(Locale.ROOT, "\\x%02x", c)
                            : c <= 0xffff ? String.format(Locale.ROOT, "\\u%04x", c)
                            : String.format(Locale.ROOT, "\\U%08x", c);
                });
            } else if (out != null) {
                out.appendCodePoint(c);
            }
            i = next;
        }
        return out == null ? text : out.toString();
    }

    /** How many terminal cells the text (already made visible) takes. */
    static int width(String text) {
        int width = 0;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            int type = Character.getType(c);
            if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK) {
                continue;
            }
            width += wide(c) ? 2 : 1;
        }
        return width;
    }

    /** East Asian wide and fullwidth characters and emoji, which terminals draw two cells wide. */
    private static boolean wide(int c) {
        return (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0x303e) || (c >= 0x3041 && c <= 0x33ff)
                || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xa000 && c <= 0xa4cf)
                || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xfe30 && c <= 0xfe4f)
                || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f)
                || (c >= 0x1f900 && c <= 0x1f9ff) || (c >= 0x20000 && c <= 0x3fffd);
    }
}
