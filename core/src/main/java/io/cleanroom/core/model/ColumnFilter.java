package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A condition a checked query places on one column of one of its tables, which every row of that
 * table must meet to count at all: {@code column = v}, {@code <}, {@code <=}, {@code >}, {@code >=}
 * one literal, {@code IN} a list of literals, or {@code BETWEEN} two. Only query control derives
 * them, from the query it admitted (a conjunct of a WHERE clause over the table's only reference,
 * never from an OR, a NOT or an outer join's ON), so a reader may skip what cannot meet one (an S3
 * table's partitions and objects, a PostgreSQL table's rows) without changing the answer: the
 * engine applies the query's own conditions to what it reads, as always.
 */
public record ColumnFilter(String column, Operator operator, List<Literal> values) {
    /** The comparison. */
    public enum Operator {
        EQ, LT, LE, GT, GE, IN, BETWEEN
    }

    /** A literal of the query, as SQL typed it, with its text (a number's digits, a date's ISO form). */
    public record Literal(Kind kind, String text) {
        public enum Kind {
            STRING, NUMBER, DATE, TIMESTAMP, BOOLEAN
        }

        public Literal {
            requireNonNull(kind, "kind is null");
            requireNonNull(text, "text is null");
        }
    }

    public ColumnFilter {
        requireNonNull(column, "column is null");
        requireNonNull(operator, "operator is null");
        values = List.copyOf(values);
        int expected = switch (operator) {
            case IN -> -1;
            case BETWEEN -> 2;
            default -> 1;
        };
        if (expected >= 0 ? values.size() != expected : values.isEmpty()) {
            throw new IllegalArgumentException("wrong number of values for " + operator);
        }
    }
}
