package io.cleanroom.sql;

import java.util.List;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlSelectKeyword;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParserPos;

/** The tree edits of the rewrite: minimum distinct counts added to a SELECT's HAVING. */
final class Rewrites {
    private Rewrites() {
    }

    /** COUNT(DISTINCT column) >= minimum. */
    static SqlNode atLeastDistinct(SqlIdentifier column, int minimum) {
        SqlNode count = new SqlBasicCall(SqlStdOperatorTable.COUNT, List.of(column), SqlParserPos.ZERO,
                SqlLiteral.createSymbol(SqlSelectKeyword.DISTINCT, SqlParserPos.ZERO));
        return new SqlBasicCall(SqlStdOperatorTable.GREATER_THAN_OR_EQUAL,
                List.of(count, SqlLiteral.createExactNumeric(String.valueOf(minimum), SqlParserPos.ZERO)),
                SqlParserPos.ZERO);
    }

    /** Sets HAVING to the conjunction of its present condition (if any) and the given ones. */
    static void addToHaving(SqlSelect select, List<SqlNode> conditions) {
        SqlNode having = select.getHaving();
        for (SqlNode condition : conditions) {
            having = having == null ? condition
                    : new SqlBasicCall(SqlStdOperatorTable.AND, List.of(having, condition), SqlParserPos.ZERO);
        }
        select.setHaving(having);
    }
}
