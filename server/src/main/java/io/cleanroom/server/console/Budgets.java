package io.cleanroom.server.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.cleanroom.client.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The collaboration's privacy budget as a gauge, where differential privacy protects its data: for
 * each aggregation, how many uses of it alone what is left allows, out of how many the whole budget
 * allows (ListPrivacyBudgets' remainingCount and maxCount), with the policy behind it
 * (GetCollaborationPrivacyBudgetTemplate). Read through the API as the signed-in member, like every
 * page: a key that may not read the budget gets the API's refusal.
 */
final class Budgets {
    /** Aggregations in the order the page shows them, with the words it uses for them. */
    private static final Map<String, String> LABELS = Map.of("COUNT", "COUNT", "COUNT_DISTINCT", "COUNT(DISTINCT)",
            "SUM", "SUM", "AVG", "AVG", "STDDEV", "STDDEV");
    private static final List<String> ORDER = List.of("COUNT", "COUNT_DISTINCT", "SUM", "AVG", "STDDEV");

    private Budgets() {
    }

    /** One aggregation's gauge: remaining of max uses of it alone. */
    record Gauge(String type, String label, long remaining, long max) {
        /** What a screen reader and the eye read beside the gauge. */
        String text() {
            return remaining + " of " + max + " left";
        }

        /** The meter's maximum: at least 1, so that an empty budget still draws an empty gauge. */
        long scale() {
            return Math.max(1, max);
        }

        /** Below this the gauge shows as low (a fifth of the whole). */
        long low() {
            return Math.max(1, max / 5);
        }

        /** From this up the gauge shows as fine (half of the whole). */
        long high() {
            return Math.max(low(), max / 2);
        }
    }

    /**
     * A membership's view of its collaboration's budget: the policy (epsilon, users of noise per
     * answer, refresh) and a gauge per aggregation.
     */
    record Budget(String membership, String epsilon, String usersNoisePerQuery, String autoRefresh,
            String ownerAccountId, List<Gauge> gauges) {
        String refresh() {
            return autoRefresh.equals("CALENDAR_MONTH") ? "refreshes at the start of each calendar month"
                    : autoRefresh.equals("NONE") ? "never refreshes" : autoRefresh;
        }
    }

    /** The budget of the membership's collaboration, or null when it has none (no differential privacy). */
    static Budget of(Exchange x, String membership) {
        JsonNode listed = x.api().call(Operation.LIST_PRIVACY_BUDGETS, Map.of("membershipIdentifier", membership),
                Map.of("privacyBudgetType", "DIFFERENTIAL_PRIVACY"), null);
        JsonNode summary = listed.path("privacyBudgetSummaries").path(0);
        if (summary.isMissingNode()) {
            return null;
        }
        JsonNode dp = summary.path("budget").path("differentialPrivacy");
        List<Gauge> gauges = new ArrayList<>();
        for (String type : ORDER) {
            for (JsonNode a : dp.path("aggregations")) {
                if (Format.text(a, "type").equals(type)) {
                    gauges.add(new Gauge(type, LABELS.get(type), a.path("remainingCount").asLong(),
                            a.path("maxCount").asLong()));
                }
            }
        }
        JsonNode template = x.api().call(Operation.GET_COLLABORATION_PRIVACY_BUDGET_TEMPLATE, Map.of(
                "collaborationIdentifier", Format.text(summary, "collaborationId"),
                "privacyBudgetTemplateIdentifier", Format.text(summary, "privacyBudgetTemplateId")))
                .path("collaborationPrivacyBudgetTemplate");
        JsonNode parameters = template.path("parameters").path("differentialPrivacy");
        return new Budget(membership, dp.path("epsilon").asText(parameters.path("epsilon").asText("")),
                parameters.path("usersNoisePerQuery").asText(""), Format.text(template, "autoRefresh"),
                Format.text(template, "creatorAccountId"), gauges);
    }
}
