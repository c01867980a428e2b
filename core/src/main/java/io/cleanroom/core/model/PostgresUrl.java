package io.cleanroom.core.model;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A PostgreSQL JDBC URL as Cleanroom accepts it: {@code jdbc:postgresql://host[:port]/database}, with
 * only the parameters on an allow-list. Credentials never go in it (user and password are separate,
 * the password sealed), and nothing in it can make the driver load a class or read a file of the
 * server's (the driver's socketFactory, sslfactory, sslrootcert, loggerFile... are refused):
 * {@link #toString()} renders it again from the parsed parts, so nothing else reaches the driver.
 */
public record PostgresUrl(String host, int port, String database, Map<String, String> parameters) {
    private static final Pattern URL = Pattern.compile(
            "^jdbc:postgresql://([A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\])(?::(\\d{1,5}))?/([A-Za-z0-9_.-]{1,63})"
                    + "(?:\\?(.*))?$");
    private static final Pattern NUMBER = Pattern.compile("^\\d{1,4}$");
    /** The parameters a URL may carry, each with the pattern its value must match. */
    private static final Map<String, Pattern> ALLOWED = Map.of(
            "sslmode", Pattern.compile("^(disable|allow|prefer|require|verify-ca|verify-full)$"),
            "ssl", Pattern.compile("^(true|false)$"),
            "connectTimeout", NUMBER,
            "socketTimeout", NUMBER,
            "loginTimeout", NUMBER);

    public PostgresUrl {
        requireNonNull(host, "host is null");
        requireNonNull(database, "database is null");
        parameters = Map.copyOf(parameters);
    }

    /** The URL, or why the text is not one (a message safe to show: it never repeats the URL). */
    public static Parsed parse(String text) {
        if (text == null) {
            return Parsed.problem("must be jdbc:postgresql://host:port/database");
        }
        Matcher m = URL.matcher(text);
        if (!m.matches()) {
            return Parsed.problem("must be jdbc:postgresql://host:port/database, with one host of letters, digits, "
                    + "dots and hyphens (or an IPv6 address in brackets) and a database name of letters, digits, "
                    + "'_', '.' and '-'");
        }
        int port = 5432;
        if (m.group(2) != null) {
            port = Integer.parseInt(m.group(2));
            if (port < 1 || port > 65535) {
                return Parsed.problem("must have a port between 1 and 65535");
            }
        }
        Map<String, String> parameters = new TreeMap<>();
        if (m.group(4) != null && !m.group(4).isEmpty()) {
            for (String pair : m.group(4).split("&", -1)) {
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                String lower = name.toLowerCase(Locale.ROOT);
                if (lower.equals("user") || lower.equals("password")) {
                    return Parsed.problem("must not hold the user or password: give them as the connection's user "
                            + "and password, where the password is kept sealed");
                }
                Pattern allowed = ALLOWED.get(name);
                if (allowed == null) {
                    return Parsed.problem("may only have the parameters " + String.join(", ",
                            new java.util.TreeSet<>(ALLOWED.keySet())) + " (" + name.replaceAll("[^A-Za-z0-9_]", "?")
                            + " is not one)");
                }
                if (!allowed.matcher(value).matches() || parameters.put(name, value) != null) {
                    return Parsed.problem("has a value of parameter " + name + " that is not allowed, or gives it twice");
                }
            }
        }
        return new Parsed(Optional.of(new PostgresUrl(m.group(1).toLowerCase(Locale.ROOT), port, m.group(3),
                parameters)), null);
    }

    /** A URL, or why the text is not one. */
    public record Parsed(Optional<PostgresUrl> url, String problem) {
        static Parsed problem(String problem) {
            return new Parsed(Optional.empty(), problem);
        }
    }

    /** Whether the other URL names the same database on the same server (parameters aside). */
    public boolean sameDatabase(PostgresUrl other) {
        return host.equals(other.host) && port == other.port && database.equals(other.database);
    }

    /** The URL rendered from its parts, parameters in name order. */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("jdbc:postgresql://").append(host).append(':').append(port).append('/')
                .append(database);
        String separator = "?";
        for (Map.Entry<String, String> p : new TreeMap<>(parameters).entrySet()) {
            out.append(separator).append(p.getKey()).append('=').append(p.getValue());
            separator = "&";
        }
        return out.toString();
    }
}
