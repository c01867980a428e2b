package io.cleanroom.sql;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * Why a query is allowed or rejected: the decisions made on each of its parts, the rejection (if
 * any) with the part at fault, the output constraints the rewrite adds, and the rewritten SQL.
 */
public record Explanation(
        boolean allowed,
        Optional<String> ruleType,
        List<String> tables,
        List<Decision> decisions,
        Optional<String> rejection,
        List<String> addedConstraints,
        Optional<String> rewrittenSql) {
    public Explanation {
        requireNonNull(ruleType, "ruleType is null");
        tables = List.copyOf(tables);
        decisions = List.copyOf(decisions);
        requireNonNull(rejection, "rejection is null");
        addedConstraints = List.copyOf(addedConstraints);
        requireNonNull(rewrittenSql, "rewrittenSql is null");
    }

    /** One decision: in which clause, about which part, the verdict, and the rule behind it. */
    public record Decision(String clause, String part, String verdict, String reason) {
    }
}
