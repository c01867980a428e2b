package io.cleanroom.server.cleanrooms;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.AdditionalAnalyses;
import io.cleanroom.core.model.AggregateFunction;
import io.cleanroom.core.model.AnalysisRulePolicy;
import io.cleanroom.core.model.AnalysisRulePolicy.AggregateColumn;
import io.cleanroom.core.model.AnalysisRulePolicy.Aggregation;
import io.cleanroom.core.model.AnalysisRulePolicy.AggregationThreshold;
import io.cleanroom.core.model.AnalysisRulePolicy.ComparisonControls;
import io.cleanroom.core.model.AnalysisRulePolicy.Custom;
import io.cleanroom.core.model.AnalysisRulePolicy.ListRule;
import io.cleanroom.core.model.AnalysisRulePolicy.OutputColumnThreshold;
import io.cleanroom.core.model.AnalysisRulePolicy.OutputConstraint;
import io.cleanroom.core.model.JoinOperator;
import io.cleanroom.core.model.JoinRequired;
import io.cleanroom.core.model.ScalarFunction;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Json;
import java.util.List;
import java.util.regex.Pattern;

/** The wire form of configured table analysis rule policies: {"v1": {"aggregation"|"list"|"custom": {...}}}. */
final class PolicyWire {
    static final Pattern RULE_COLUMN = In.COLUMN_NAME;
    private static final Pattern ALLOWED_ANALYSIS = Pattern.compile(
            "^(ANY_QUERY|ANY_JOB|arn:aws[-a-z]*:cleanrooms:[\\w]{2}-[\\w]{4,9}-[\\d]:\\d{12}:membership/"
                    + "[\\d\\w-]+/analysistemplate/[\\d\\w-]+)$");

    private PolicyWire() {
    }

    /** Reads analysisRulePolicy from a request body; null if invalid (errors are in the reader). */
    static AnalysisRulePolicy read(In body) {
        In policy = body.object("analysisRulePolicy", true);
        if (policy == null) {
            return null;
        }
        In v1 = policy.object("v1", true);
        if (v1 == null) {
            return null;
        }
        String kind = v1.union("aggregation", "list", "custom");
        if (kind == null) {
            return null;
        }
        In rule = v1.object(kind, true);
        return switch (kind) {
            case "aggregation" -> aggregation(rule);
            case "list" -> list(rule);
            default -> custom(rule);
        };
    }

    private static List<String> columns(In in, String name, boolean required, int min) {
        return in.strings(name, required, min, 225, 127, RULE_COLUMN);
    }

    private static Aggregation aggregation(In in) {
        List<AggregateColumn> aggregateColumns = in.list("aggregateColumns", true, 1, 225, e -> {
            In c = e.object();
            if (c == null) {
                return null;
            }
            List<String> names = columns(c, "columnNames", true, 1);
            AggregateFunction function = c.enumValue("function", AggregateFunction.class, true);
            return names == null || function == null ? null : new AggregateColumn(names, function);
        });
        List<String> joinColumns = columns(in, "joinColumns", true, 0);
        JoinRequired joinRequired = in.enumValue("joinRequired", JoinRequired.class, false);
        List<JoinOperator> operators = in.enums("allowedJoinOperators", JoinOperator.class, false, 0, 2);
        List<String> dimensionColumns = columns(in, "dimensionColumns", true, 0);
        List<ScalarFunction> scalarFunctions = in.enums("scalarFunctions", ScalarFunction.class, true, 0, 100);
        List<OutputConstraint> constraints = in.list("outputConstraints", true, 1, 100, e -> {
            In c = e.object();
            if (c == null) {
                return null;
            }
            String column = c.string("columnName", true, 1, 127, RULE_COLUMN);
            Integer minimum = c.integer("minimum", true, 2, 100000);
            String type = c.string("type", true, 1, 32, Pattern.compile("^COUNT_DISTINCT$"));
            return column == null || minimum == null || type == null ? null : new OutputConstraint(column, minimum);
        });
        AdditionalAnalyses additional = in.enumValue("additionalAnalyses", AdditionalAnalyses.class, false);
        if (aggregateColumns == null || joinColumns == null || dimensionColumns == null || scalarFunctions == null
                || constraints == null) {
            return null;
        }
        return new Aggregation(aggregateColumns, joinColumns, joinRequired, operators, dimensionColumns,
                scalarFunctions, constraints, additional);
    }

    private static ListRule list(In in) {
        List<String> joinColumns = columns(in, "joinColumns", true, 1);
        List<JoinOperator> operators = in.enums("allowedJoinOperators", JoinOperator.class, false, 0, 2);
        List<String> listColumns = columns(in, "listColumns", true, 0);
        AdditionalAnalyses additional = in.enumValue("additionalAnalyses", AdditionalAnalyses.class, false);
        if (joinColumns == null || listColumns == null) {
            return null;
        }
        return new ListRule(joinColumns, operators, listColumns, additional);
    }

    private static Custom custom(In in) {
        List<String> analyses = in.strings("allowedAnalyses", true, 0, 100, 200, ALLOWED_ANALYSIS);
        List<AccountId> providers = in.accountIds("allowedAnalysisProviders", false, 0, 10);
        AdditionalAnalyses additional = in.enumValue("additionalAnalyses", AdditionalAnalyses.class, false);
        List<String> disallowed = columns(in, "disallowedOutputColumns", false, 0);
        String dpColumn = null;
        In dp = in.object("differentialPrivacy", false);
        if (dp != null) {
            List<String> names = dp.list("columns", true, 1, 1, e -> {
                In c = e.object();
                return c == null ? null : c.string("name", true, 1, 200, null);
            });
            if (names != null && !names.isEmpty()) {
                dpColumn = names.get(0);
            }
        }
        List<AggregationThreshold> thresholds = in.list("aggregationThresholds", false, 0, 10, e -> {
            In t = e.object();
            if (t == null) {
                return null;
            }
            List<String> identity = columns(t, "identityColumns", true, 1);
            Integer minimum = t.integer("minimumIdentityCount", true, 2, 100000);
            t.string("type", false, 1, 32, Pattern.compile("^COUNT_DISTINCT$"));
            String expression = t.string("allowedAggregateExpressionType", false, 1, 32,
                    Pattern.compile("^(COLUMNS_ONLY|ANY_EXPRESSION)$"));
            List<OutputColumnThreshold> outputs = t.list("outputColumnThresholds", false, 0, 100, oe -> {
                In o = oe.object();
                if (o == null) {
                    return null;
                }
                String column = o.string("outputColumnName", true, 1, 127, RULE_COLUMN);
                Integer count = o.integer("minimumIdentityCount", true, 0, 100000);
                return column == null || count == null ? null : new OutputColumnThreshold(column, count);
            });
            return identity == null || minimum == null ? null : new AggregationThreshold(identity, minimum,
                    expression == null ? "COLUMNS_ONLY" : expression, outputs);
        });
        ComparisonControls controls = null;
        In cc = in.object("comparisonControls", false);
        if (cc != null) {
            List<String> literal = columns(cc, "allowedLiteralComparisonColumns", true, 0);
            List<String> column = columns(cc, "allowedColumnComparisonColumns", true, 0);
            if (literal != null && column != null) {
                controls = new ComparisonControls(literal, column);
            }
        }
        if (analyses == null) {
            return null;
        }
        return new Custom(analyses, providers, additional, disallowed, dpColumn, thresholds, controls);
    }

    /** {"v1": {"<type>": {...}}} for a configured table analysis rule policy. */
    static ObjectNode render(AnalysisRulePolicy policy) {
        ObjectNode out = Json.object();
        ObjectNode rule = out.putObject("v1").putObject(key(policy));
        body(policy, rule);
        return out;
    }

    static String key(AnalysisRulePolicy policy) {
        return switch (policy.type()) {
            case AGGREGATION -> "aggregation";
            case LIST -> "list";
            case CUSTOM -> "custom";
        };
    }

    /** Writes the policy's fields into an object (also used for the consolidated policy). */
    static void body(AnalysisRulePolicy policy, ObjectNode rule) {
        if (policy instanceof Aggregation a) {
            ArrayNode aggregateColumns = rule.putArray("aggregateColumns");
            for (AggregateColumn c : a.aggregateColumns()) {
                ObjectNode node = aggregateColumns.addObject();
                node.set("columnNames", Json.strings(c.columnNames()));
                node.put("function", c.function().name());
            }
            rule.set("joinColumns", Json.strings(a.joinColumns()));
            Json.putIfNotNull(rule, "joinRequired", a.joinRequired());
            if (!a.allowedJoinOperators().isEmpty()) {
                rule.set("allowedJoinOperators", Json.strings(a.allowedJoinOperators()));
            }
            rule.set("dimensionColumns", Json.strings(a.dimensionColumns()));
            rule.set("scalarFunctions", Json.strings(a.scalarFunctions()));
            ArrayNode constraints = rule.putArray("outputConstraints");
            for (OutputConstraint c : a.outputConstraints()) {
                constraints.addObject().put("columnName", c.columnName()).put("minimum", c.minimum())
                        .put("type", "COUNT_DISTINCT");
            }
            Json.putIfNotNull(rule, "additionalAnalyses", a.additionalAnalyses());
        } else if (policy instanceof ListRule l) {
            rule.set("joinColumns", Json.strings(l.joinColumns()));
            if (!l.allowedJoinOperators().isEmpty()) {
                rule.set("allowedJoinOperators", Json.strings(l.allowedJoinOperators()));
            }
            rule.set("listColumns", Json.strings(l.listColumns()));
            Json.putIfNotNull(rule, "additionalAnalyses", l.additionalAnalyses());
        } else if (policy instanceof Custom c) {
            rule.set("allowedAnalyses", Json.strings(c.allowedAnalyses()));
            if (!c.allowedAnalysisProviders().isEmpty()) {
                rule.set("allowedAnalysisProviders", Json.strings(c.allowedAnalysisProviders()));
            }
            Json.putIfNotNull(rule, "additionalAnalyses", c.additionalAnalyses());
            if (!c.disallowedOutputColumns().isEmpty()) {
                rule.set("disallowedOutputColumns", Json.strings(c.disallowedOutputColumns()));
            }
            if (c.differentialPrivacyColumn() != null) {
                rule.putObject("differentialPrivacy").putArray("columns").addObject()
                        .put("name", c.differentialPrivacyColumn());
            }
            if (!c.aggregationThresholds().isEmpty()) {
                ArrayNode thresholds = rule.putArray("aggregationThresholds");
                for (AggregationThreshold t : c.aggregationThresholds()) {
                    ObjectNode node = thresholds.addObject();
                    node.set("identityColumns", Json.strings(t.identityColumns()));
                    node.put("minimumIdentityCount", t.minimumIdentityCount());
                    node.put("type", "COUNT_DISTINCT");
                    node.put("allowedAggregateExpressionType", t.allowedAggregateExpressionType());
                    if (!t.outputColumnThresholds().isEmpty()) {
                        ArrayNode outputs = node.putArray("outputColumnThresholds");
                        t.outputColumnThresholds().forEach(o -> outputs.addObject()
                                .put("outputColumnName", o.outputColumnName())
                                .put("minimumIdentityCount", o.minimumIdentityCount()));
                    }
                }
            }
            if (c.comparisonControls() != null) {
                ObjectNode node = rule.putObject("comparisonControls");
                node.set("allowedLiteralComparisonColumns",
                        Json.strings(c.comparisonControls().allowedLiteralComparisonColumns()));
                node.set("allowedColumnComparisonColumns",
                        Json.strings(c.comparisonControls().allowedColumnComparisonColumns()));
            }
        }
    }
}
