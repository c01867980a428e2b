package io.cleanroom.core.service;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.AnalysisRulePolicy;
import io.cleanroom.core.model.Association;
import io.cleanroom.core.model.CollaborationId;
import io.cleanroom.core.model.ConfiguredTableAnalysisRule;
import io.cleanroom.core.model.ConfiguredTableId;
import io.cleanroom.core.model.MembershipId;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.core.store.Tx;
import java.util.Locale;
import java.util.Optional;

/**
 * Which tables have differential privacy turned on (a custom analysis rule naming a user
 * identifier column in differentialPrivacy.columns), and the rule AWS states for them: all tables
 * with differential privacy in one collaboration use the same user identifier column.
 */
final class DifferentialPrivacyTables {
    private DifferentialPrivacyTables() {
    }

    /** The user identifier column a policy protects with differential privacy, if it turns it on. */
    static Optional<String> userColumn(AnalysisRulePolicy policy) {
        return policy instanceof AnalysisRulePolicy.Custom custom
                ? Optional.ofNullable(custom.differentialPrivacyColumn()) : Optional.empty();
    }

    /** The user identifier column of a configured table's differential privacy, if its rule turns it on. */
    static Optional<String> userColumn(Tx tx, ConfiguredTableId table) {
        return tx.of(Kinds.TABLE_RULES).get(table.value()).map(ConfiguredTableAnalysisRule::policy)
                .flatMap(DifferentialPrivacyTables::userColumn);
    }

    /** Whether a membership has associated a table with differential privacy turned on. */
    static boolean associatesAny(Tx tx, MembershipId membership) {
        return tx.of(Kinds.ASSOCIATIONS).find("membership_id", membership.value()).stream()
                .anyMatch(a -> userColumn(tx, a.configuredTableId()).isPresent());
    }

    /**
     * Refuses a table with differential privacy on the given user identifier column in a
     * collaboration where another table with differential privacy uses another column. Columns are
     * compared without regard to case, as queries compare them. subject says what is being done,
     * for the message.
     */
    static void requireSameUserColumn(Tx tx, CollaborationId collaboration, ConfiguredTableId table, String column,
            String subject) {
        for (Association other : tx.of(Kinds.ASSOCIATIONS).find("collaboration_id", collaboration.value())) {
            if (other.configuredTableId().equals(table)) {
                continue;
            }
            Optional<String> theirs = userColumn(tx, other.configuredTableId());
            if (theirs.isPresent() && !theirs.get().toLowerCase(Locale.ROOT).equals(column.toLowerCase(Locale.ROOT))) {
                throw CleanroomException.invalidConfiguration(subject + ": its differential privacy protects user "
                        + "identifier column " + column + ", but table " + other.name() + " of collaboration "
                        + collaboration + " protects column " + theirs.get() + ". Tables with differential privacy "
                        + "in one collaboration must use the same user identifier column (as AWS Clean Rooms "
                        + "requires); name " + theirs.get() + " in differentialPrivacy.columns");
            }
        }
    }
}
