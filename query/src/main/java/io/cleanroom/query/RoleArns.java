package io.cleanroom.query;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.Association;
import io.cleanroom.core.model.CatalogTable;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The role an association names, {@code arn:aws:iam::<account>:role/<name>}, read as AWS Clean Rooms
 * reads it: the role through which the table's data is read. For a table behind a connection, the
 * role must be in the table owner's account and named as the connection (IAM role names compare
 * without regard to case); otherwise the association is refused when a query reads it.
 */
final class RoleArns {
    private static final Pattern ROLE = Pattern.compile(
            "^arn:aws:iam::(\\d{12}):role/(?:[A-Za-z0-9+=,.@_-]+/)*([A-Za-z0-9+=,.@_-]{1,64})$");

    private RoleArns() {
    }

    /** The account and role name of a role ARN, if it is one. */
    static Optional<String[]> parse(String roleArn) {
        if (roleArn == null) {
            return Optional.empty();
        }
        Matcher m = ROLE.matcher(roleArn);
        return m.matches() ? Optional.of(new String[] {m.group(1), m.group(2)}) : Optional.empty();
    }

    /** Whether the role ARN is the owner's role named as the connection. */
    static boolean names(String roleArn, AccountId owner, String connection) {
        return parse(roleArn).map(p -> p[0].equals(owner.value()) && p[1].equalsIgnoreCase(connection)).orElse(false);
    }

    /**
     * Refuses an association whose role does not name its catalog table's connection. The message,
     * which the query's starter reads, names neither the role nor the connection.
     */
    static void requireConnection(String table, Association association, CatalogTable catalog) {
        String connection = catalog.connectionName().orElse(null);
        if (connection == null || !names(association.roleArn(), association.ownerAccountId(), connection)) {
            throw CleanroomException.invalidConfiguration(table + " cannot be read: its association's roleArn does "
                    + "not name the connection its catalog table is read through. Its owner must set the "
                    + "association's roleArn to arn:aws:iam::" + association.ownerAccountId()
                    + ":role/<the table's connection>");
        }
    }
}
