package io.cleanroom.core.service;

import static java.util.Objects.requireNonNull;

import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.ErrorCode;
import io.cleanroom.core.ResourceType;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.CatalogDatabase;
import io.cleanroom.core.model.CatalogTable;
import io.cleanroom.core.model.Connection;
import io.cleanroom.core.model.ConnectionType;
import io.cleanroom.core.model.PostgresUrl;
import io.cleanroom.core.model.Role;
import io.cleanroom.core.store.Kinds;
import io.cleanroom.core.store.Tx;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Connections: how the server reaches an account's data where it lies (S3-compatible storage, a
 * PostgreSQL database). The operator manages any account's; an account's administrators manage
 * their own. The secret is sealed under the master key as access-key secrets are, and only
 * {@link #open} (for the server's own readers) ever unseals it: no view carries it.
 *
 * <p>Every field is checked against an allow-list; an error names the field and never repeats a
 * value (an endpoint or URL may hold what its owner would not show).
 */
public final class ConnectionService {
    /** IAM's role-name characters: the name is what an association's roleArn names. */
    static final Pattern NAME = Pattern.compile("^[A-Za-z0-9+=,.@_-]{1,64}$");
    private static final Pattern REGION = Pattern.compile("^[a-z][a-z0-9-]{0,31}$");
    private static final Pattern ACCESS_KEY_ID = Pattern.compile("^[\\x21-\\x7e]{1,128}$");
    private static final Pattern SECRET = Pattern.compile("^[\\x20-\\x7e]{1,1024}$");
    private static final Pattern USER = Pattern.compile("^[^\\x00-\\x1f\\x7f]{1,63}$");
    private static final Pattern PASSWORD = Pattern.compile("^[^\\x00-\\x1f\\x7f]{0,1024}$");
    private static final Pattern HOST = Pattern.compile("^([A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\])$");
    /** The most connections one account may hold. */
    public static final int MAX_PER_ACCOUNT = 100;
    /** The parameter of a Glue table naming the connection its data is read through (Glue's own key). */
    public static final String TABLE_PARAMETER = "connectionName";

    private final ServiceContext context;
    private final SecretSealer sealer;

    public ConnectionService(ServiceContext context, SecretSealer sealer) {
        this.context = requireNonNull(context, "context is null");
        this.sealer = requireNonNull(sealer, "sealer is null");
    }

    /**
     * A connection as given to create or update it. On update a null secret keeps the stored one,
     * and the type cannot change. Fields that do not belong to the type must be null.
     */
    public record Spec(ConnectionType type, String description, String endpoint, String region, String accessKeyId,
            Boolean pathStyle, String jdbcUrl, String user, String secret) {
        @Override
        public String toString() {
            return "Spec[" + type + "]";
        }
    }

    /** A connection with its secret unsealed, for the server's readers only; never rendered or logged. */
    public record Opened(Connection connection, String secret) {
        public Opened {
            requireNonNull(connection, "connection is null");
            requireNonNull(secret, "secret is null");
        }

        @Override
        public String toString() {
            return "Opened[" + connection + "]";
        }
    }

    /** The operator, or an administrator of the account itself (a role check, besides the API's policy). */
    private static void requireManager(Caller caller, AccountId account) {
        if (caller.operator()) {
            return;
        }
        if (!caller.account().equals(account) || caller.role() != Role.ADMINISTRATOR) {
            throw CleanroomException.accessDenied("Only the operator or an administrator of account " + account
                    + " can manage its connections");
        }
    }

    private static void requireAccount(Tx tx, AccountId account) {
        if (tx.of(Kinds.ACCOUNTS).get(account.value()).isEmpty()) {
            throw CleanroomException.notFound(ResourceType.ACCOUNT, account.value());
        }
    }

    /** A connection name as given, or the error on field. */
    public static String checkName(String field, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw CleanroomException.validation(field, "A connection name is 1-64 letters, digits and + = , . @ _ - "
                    + "(the characters of an IAM role name, which an association's roleArn gives it)");
        }
        return name;
    }

    private static Connection find(Tx tx, AccountId account, String name) {
        return tx.of(Kinds.CONNECTIONS).get(Connection.key(account, name))
                .orElseThrow(() -> CleanroomException.notFound(ResourceType.CONNECTION, name,
                        "Connection " + name + " not found in account " + account));
    }

    public Connection create(Caller caller, AccountId account, String name, Spec spec) {
        requireManager(caller, account);
        checkName("name", name);
        if (name.equals(".") || name.equals("..")) {
            // a path segment a browser or client resolves away: the console (and any REST path) could not name it
            throw CleanroomException.validation("name", "A connection name cannot be . or ..");
        }
        Checked checked = check(spec, null);
        String sealed = sealer.seal(checked.secret());
        return context.store().inTransaction(tx -> {
            requireAccount(tx, account);
            if (tx.of(Kinds.CONNECTIONS).get(Connection.key(account, name)).isPresent()) {
                throw CleanroomException.conflict(ErrorCode.ALREADY_EXISTS, ResourceType.CONNECTION, name,
                        "Connection " + name + " already exists in account " + account
                                + " (names are compared without regard to case)");
            }
            if (tx.of(Kinds.CONNECTIONS).find("account_id", account.value()).size() >= MAX_PER_ACCOUNT) {
                throw CleanroomException.quota("Connections per account", MAX_PER_ACCOUNT);
            }
            Instant now = context.now();
            Connection connection = checked.connection(account, name, sealed, now, now);
            tx.of(Kinds.CONNECTIONS).insert(connection);
            return connection;
        });
    }

    public Connection get(Caller caller, AccountId account, String name) {
        requireManager(caller, account);
        return context.store().read(tx -> {
            requireAccount(tx, account);
            return find(tx, account, name);
        });
    }

    /** An account's connections by name, a page at a time. */
    public Page<Connection> list(Caller caller, AccountId account, Page.Request page) {
        requireManager(caller, account);
        Listing listing = context.pages().listing("ListConnections", caller, account.value());
        return context.store().inTransaction(tx -> {
            requireAccount(tx, account);
            return listing.read(page, (after, n) -> tx.of(Kinds.CONNECTIONS).findAfter("account_id",
                    account.value(), after, n), Kinds.CONNECTIONS::positionOf, c -> true);
        });
    }

    /** Replaces a connection's settings; a null secret keeps the sealed one. The type stays. */
    public Connection update(Caller caller, AccountId account, String name, Spec spec) {
        requireManager(caller, account);
        String sealed;
        Checked checked;
        Connection existing = context.store().read(tx -> {
            requireAccount(tx, account);
            return find(tx, account, name);
        });
        checked = check(spec, existing.type());
        sealed = checked.secret() == null ? null : sealer.seal(checked.secret());
        return context.store().inTransaction(tx -> {
            Connection current = find(tx, account, name);
            if (current.type() != checked.type()) {
                throw CleanroomException.validation("type", "A connection's type cannot change; create another "
                        + "connection");
            }
            Connection updated = checked.connection(account, current.name(),
                    sealed == null ? current.sealedSecret() : sealed, current.createTime(), context.now());
            tx.of(Kinds.CONNECTIONS).update(updated);
            return updated;
        });
    }

    /** Deletes a connection no catalog table of the account names. */
    public void delete(Caller caller, AccountId account, String name) {
        requireManager(caller, account);
        context.store().inTransaction(tx -> {
            requireAccount(tx, account);
            Connection connection = find(tx, account, name);
            for (CatalogDatabase database : tx.of(Kinds.CATALOG_DATABASES).find("account_id", account.value())) {
                for (CatalogTable table : tx.of(Kinds.CATALOG_TABLES).find("database_key", database.key())) {
                    if (table.connectionName().map(n -> n.equalsIgnoreCase(connection.name())).orElse(false)) {
                        throw CleanroomException.conflict(ErrorCode.SUBRESOURCES_EXIST, ResourceType.CONNECTION,
                                connection.name(), "Connection " + connection.name() + " is used by table "
                                        + table.databaseName() + "." + table.name() + "; delete that first or "
                                        + "point it at another connection");
                    }
                }
            }
            tx.of(Kinds.CONNECTIONS).delete(connection.key());
            return null;
        });
    }

    /**
     * A connection of the account with its secret unsealed, for reading the account's data; empty
     * when the account has none of that name. Never for an API's answer.
     */
    public Optional<Opened> open(AccountId account, String name) {
        Optional<Connection> connection = context.store().read(tx -> tx.of(Kinds.CONNECTIONS)
                .get(Connection.key(account, name)));
        return connection.map(c -> new Opened(c, sealer.open(c.sealedSecret())));
    }

    // ---- checking ----

    /** A spec that passed its checks, with its values normalised. */
    private record Checked(ConnectionType type, String description, String endpoint, String region,
            String accessKeyId, boolean pathStyle, String jdbcUrl, String user, String secret) {
        Connection connection(AccountId account, String name, String sealed, Instant created, Instant updated) {
            return new Connection(account, name, type, description, endpoint, region, accessKeyId, pathStyle,
                    jdbcUrl, user, sealed, created, updated);
        }

        @Override
        public String toString() {
            return "Checked[" + type + "]";
        }
    }

    /** Checks a spec; existingType is the stored type on update (the secret may then be left out). */
    private static Checked check(Spec spec, ConnectionType existingType) {
        List<CleanroomException.FieldError> errors = new ArrayList<>();
        if (spec == null || spec.type() == null) {
            throw CleanroomException.validation("type", "A connection's type is S3 or POSTGRESQL");
        }
        if (spec.description() != null && (spec.description().length() > 2048 || hasControl(spec.description()))) {
            errors.add(error("description", "must be at most 2048 characters without control characters"));
        }
        boolean secretRequired = existingType == null;
        if (spec.type() == ConnectionType.S3) {
            String endpoint = spec.endpoint() == null ? null : endpoint(spec.endpoint(), errors);
            if (spec.region() == null || !REGION.matcher(spec.region()).matches()) {
                errors.add(error("region", "must be 1-32 lower-case letters, digits and hyphens, starting with a "
                        + "letter (us-east-1)"));
            }
            if (spec.accessKeyId() == null || !ACCESS_KEY_ID.matcher(spec.accessKeyId()).matches()) {
                errors.add(error("accessKeyId", "must be 1-128 printable characters without spaces"));
            }
            if (spec.secret() == null ? secretRequired : !SECRET.matcher(spec.secret()).matches()) {
                errors.add(error("secretAccessKey", "must be 1-1024 printable ASCII characters"));
            }
            forbid(errors, "jdbcUrl", spec.jdbcUrl(), "S3");
            forbid(errors, "user", spec.user(), "S3");
            throwIfAny(errors);
            return new Checked(ConnectionType.S3, spec.description(), endpoint, spec.region(), spec.accessKeyId(),
                    spec.pathStyle() != null && spec.pathStyle(), null, null, spec.secret());
        }
        String url = null;
        PostgresUrl.Parsed parsed = PostgresUrl.parse(spec.jdbcUrl());
        if (parsed.url().isEmpty()) {
            errors.add(error("jdbcUrl", parsed.problem()));
        } else {
            url = parsed.url().get().toString();
        }
        if (spec.user() == null || !USER.matcher(spec.user()).matches()) {
            errors.add(error("user", "must be 1-63 characters without control characters"));
        }
        if (spec.secret() == null ? secretRequired : !PASSWORD.matcher(spec.secret()).matches()) {
            errors.add(error("password", "must be at most 1024 characters without control characters"));
        }
        forbid(errors, "endpoint", spec.endpoint(), "POSTGRESQL");
        forbid(errors, "region", spec.region(), "POSTGRESQL");
        forbid(errors, "accessKeyId", spec.accessKeyId(), "POSTGRESQL");
        if (spec.pathStyle() != null) {
            errors.add(error("pathStyle", "belongs to S3 connections, not POSTGRESQL ones"));
        }
        throwIfAny(errors);
        return new Checked(ConnectionType.POSTGRESQL, spec.description(), null, null, null, false, url, spec.user(),
                spec.secret());
    }

    /** An S3 endpoint: http or https, a host and maybe a port, nothing else; normalised without a trailing "/". */
    private static String endpoint(String text, List<CleanroomException.FieldError> errors) {
        String problem = "must be http://host[:port] or https://host[:port], without a path, user, query or fragment";
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            errors.add(error("endpoint", problem));
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getRawUserInfo() != null
                || uri.getHost() == null || !HOST.matcher(uri.getHost()).matches() || !(path.isEmpty() || path.equals("/"))
                || uri.getRawQuery() != null || uri.getRawFragment() != null || text.length() > 2048
                || (uri.getPort() != -1 && (uri.getPort() < 1 || uri.getPort() > 65535))) {
            errors.add(error("endpoint", problem));
            return null;
        }
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
    }

    private static void forbid(List<CleanroomException.FieldError> errors, String field, String value, String type) {
        if (value != null) {
            errors.add(error(field, "does not belong to " + type + " connections"));
        }
    }

    private static boolean hasControl(String s) {
        return s.chars().anyMatch(c -> c < 0x20 && c != '\t' && c != '\n' && c != '\r');
    }

    private static CleanroomException.FieldError error(String field, String message) {
        return new CleanroomException.FieldError(field, "Value at '" + field + "' " + message);
    }

    private static void throwIfAny(List<CleanroomException.FieldError> errors) {
        if (!errors.isEmpty()) {
            throw CleanroomException.validation(errors);
        }
    }
}
