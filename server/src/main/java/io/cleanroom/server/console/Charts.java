package io.cleanroom.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.server.wire.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The chart of a result, when it has one: one dimension and a measure make a bar chart; two
 * dimensions and a measure make grouped bars (the second dimension's values are the groups). A
 * measure is the first numeric column; dimensions are the other columns, in order. The chart is
 * described as JSON for the console's script, which draws it with Chart.js.
 */
final class Charts {
    static final int MAX_BARS = 60;
    static final int MAX_GROUPS = 12;

    record Chart(String json, String label) {
    }

    private Charts() {
    }

    static Chart of(List<String> columns, List<String> types, JsonNode rows) {
        int measure = -1;
        List<Integer> dimensions = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            if (measure < 0 && numeric(types.get(i), rows, i)) {
                measure = i;
            } else {
                dimensions.add(i);
            }
        }
        if (measure < 0 || dimensions.isEmpty() || dimensions.size() > 2 || rows.size() == 0) {
            return null;
        }
        int x = dimensions.get(0);
        ObjectNode chart = Json.object();
        chart.put("x", columns.get(x));
        chart.put("y", columns.get(measure));
        Set<String> labels = new LinkedHashSet<>();
        for (JsonNode row : rows) {
            labels.add(text(row.get(x)));
        }
        if (labels.size() > MAX_BARS) {
            return null;
        }
        ArrayNode labelArray = chart.putArray("labels");
        labels.forEach(labelArray::add);
        List<String> labelList = new ArrayList<>(labels);
        ArrayNode datasets = chart.putArray("datasets");
        String label;
        if (dimensions.size() == 1) {
            chart.put("kind", "bar");
            Double[] values = new Double[labels.size()];
            for (JsonNode row : rows) {
                values[labelList.indexOf(text(row.get(x)))] = number(row.get(measure));
            }
            ObjectNode set = datasets.addObject().put("label", columns.get(measure));
            ArrayNode data = set.putArray("data");
            for (Double v : values) {
                if (v == null) {
                    data.addNull();
                } else {
                    data.add(v);
                }
            }
            label = "Bar chart of " + columns.get(measure) + " by " + columns.get(x);
        } else {
            int group = dimensions.get(1);
            chart.put("kind", "grouped");
            chart.put("group", columns.get(group));
            Map<String, Double[]> groups = new LinkedHashMap<>();
            for (JsonNode row : rows) {
                String g = text(row.get(group));
                if (!groups.containsKey(g) && groups.size() == MAX_GROUPS) {
                    return null;
                }
                groups.computeIfAbsent(g, k -> new Double[labelList.size()])[labelList.indexOf(text(row.get(x)))] =
                        number(row.get(measure));
            }
            groups.forEach((g, values) -> {
                ObjectNode set = datasets.addObject().put("label", g);
                ArrayNode data = set.putArray("data");
                for (Double v : values) {
                    if (v == null) {
                        data.addNull();
                    } else {
                        data.add(v);
                    }
                }
            });
            label = "Grouped bar chart of " + columns.get(measure) + " by " + columns.get(x) + " and "
                    + columns.get(group);
        }
        return new Chart(chart.toString(), label);
    }

    private static boolean numeric(String type, JsonNode rows, int column) {
        String t = type.toUpperCase(Locale.ROOT);
        if (t.matches("^(U?(BIG|SMALL|TINY|HUGE)?INT(EGER)?|DOUBLE|FLOAT|REAL|DECIMAL.*|NUMERIC.*|LONG)$")) {
            return true;
        }
        boolean any = false;
        for (JsonNode row : rows) {
            JsonNode v = row.get(column);
            if (v == null || v.isNull()) {
                continue;
            }
            if (!v.isNumber()) {
                return false;
            }
            any = true;
        }
        return any && t.isEmpty();
    }

    private static String text(JsonNode v) {
        return v == null || v.isNull() ? "(null)" : v.asText();
    }

    private static Double number(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        try {
            return Double.parseDouble(v.asText());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
