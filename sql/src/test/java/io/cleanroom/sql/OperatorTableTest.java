package io.cleanroom.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cleanroom.core.CleanroomException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlOperator;
import org.apache.calcite.sql.SqlSyntax;
import org.apache.calcite.sql.fun.SqlLibraryOperators;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.validate.SqlNameMatchers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The validator's operator table is the allow-list: every operator it can resolve is classified,
 * and every other operator Calcite knows (its standard table and every dialect library) is
 * refused, whether it is named in a query or built by the parser's own syntax.
 */
class OperatorTableTest {
    /** Every operator Calcite defines: the standard table and all library operators. */
    static Set<SqlOperator> calciteOperators() throws IllegalAccessException {
        Set<SqlOperator> all = new LinkedHashSet<>(SqlStdOperatorTable.instance().getOperatorList());
        for (Class<?> holder : List.of(SqlStdOperatorTable.class, SqlLibraryOperators.class)) {
            for (Field f : holder.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && SqlOperator.class.isAssignableFrom(f.getType())) {
                    all.add((SqlOperator) f.get(null));
                }
            }
        }
        return all;
    }

    @Test
    void everyOperatorTheValidatorUsesIsClassified() {
        List<SqlOperator> table = Frontend.OPERATORS.getOperatorList();
        assertThat(table).isNotEmpty();
        for (SqlOperator op : table) {
            assertThat(Operators.of(op)).as(op.getName() + " " + op.getKind()).isPresent();
        }
    }

    @Test
    void everyOtherCalciteOperatorIsRefused() throws IllegalAccessException {
        Set<SqlOperator> all = calciteOperators();
        List<String> resolvable = new ArrayList<>();
        int refused = 0;
        for (SqlOperator op : all) {
            if (Operators.of(op).isPresent()) {
                continue;
            }
            refused++;
            // the validator cannot resolve it by name ...
            for (SqlSyntax syntax : SqlSyntax.values()) {
                List<SqlOperator> found = new ArrayList<>();
                Frontend.OPERATORS.lookupOperatorOverloads(new SqlIdentifier(op.getName(), SqlParserPos.ZERO),
                        null, syntax, found, SqlNameMatchers.withCaseSensitive(false));
                Frontend.OPERATORS.lookupOperatorOverloads(new SqlIdentifier(op.getName(), SqlParserPos.ZERO),
                        SqlFunctionCategory.USER_DEFINED_FUNCTION, syntax, found,
                        SqlNameMatchers.withCaseSensitive(false));
                if (found.contains(op)) {
                    resolvable.add(op.getName());
                }
            }
        }
        assertThat(resolvable).as("unclassified operators the validator resolves").isEmpty();
        // ... and the surface check refuses it wherever the parser builds it itself
        assertThat(refused).isGreaterThan(300);
        System.out.println("allow-list: " + Operators.all().size() + " operators classified, " + refused
                + " of Calcite's refused");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
        "SELECT OVERLAY(u.email PLACING 'x' FROM 1) FROM users u",
        "SELECT TRANSLATE(u.email USING utf8) FROM users u",
        "SELECT CONVERT(u.email USING utf8) FROM users u",
        "SELECT u.email FROM users u WHERE u.id > SOME (SELECT p.age FROM pets p)",
        "SELECT u.email FROM users u WHERE u.id = ANY (SELECT p.age FROM pets p)",
        "SELECT MULTISET[u.email] FROM users u",
        "SELECT MAP['a', u.email] FROM users u",
        "SELECT u.email FROM users u TABLESAMPLE SYSTEM(10)",
        "SELECT CURRENT_USER FROM users u",
        "SELECT u.email FROM users u WHERE u.email IS JSON",
        "SELECT JSON_VALUE(u.email, 'lax $') FROM users u",
        "SELECT CEIL(u.id TO DAY) FROM users u",
        "SELECT u.email FROM users u WHERE UNIQUE (SELECT p.age FROM pets p)",
        "SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY u.id) FROM users u",
        "SELECT COLLECT(u.email) FROM users u",
        "SELECT RAND() FROM users u",
        "SELECT TUMBLE_START(u.id, INTERVAL '1' HOUR) FROM users u",
        "SELECT * FROM TABLE(RAMP(3))",
        "SELECT u.email FROM users u WHERE u.email SIMILAR TO u.gender",
        "SELECT APPROX_COUNT_DISTINCT(u.email) FROM users u",
        "SELECT ANY_VALUE(u.email) FROM users u",
        "SELECT u.email FROM users u WHERE u.email LIKE 'a' ESCAPE u.gender",
    })
    void syntaxTheParserBuildsIsRefused(String sql) {
        assertThatThrownBy(() -> new QueryChecker().check(QueryRequest.adHoc(sql, Fixtures.ADVERTISER,
                Fixtures.custom()))).isInstanceOf(CleanroomException.class);
    }
}
