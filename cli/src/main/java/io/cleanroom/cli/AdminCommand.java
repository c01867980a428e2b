package io.cleanroom.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** The operator's commands: accounts, access keys and connections, signed with the operator's credentials. */
@Command(name = "admin", description = "Operator commands: accounts, their access keys and connections.",
        subcommands = {AdminCommand.CreateAccount.class, AdminCommand.ListAccounts.class,
                AdminCommand.DisableAccount.class, AdminCommand.EnableAccount.class,
                AdminCommand.SetDataRoots.class, AdminCommand.CreateAccessKey.class, AdminCommand.ListAccessKeys.class,
                AdminCommand.DisableAccessKey.class, AdminCommand.EnableAccessKey.class,
                AdminCommand.RotateAccessKey.class, AdminCommand.DeleteAccessKey.class,
                AdminCommand.CreateConnection.class, AdminCommand.ListConnections.class,
                AdminCommand.GetConnection.class, AdminCommand.UpdateConnection.class,
                AdminCommand.DeleteConnection.class})
final class AdminCommand {
    @Mixin
    OperatorOptions operator;

    JsonNode send(String operation, String method, String path, ObjectNode body) {
        return operator.send(operation, method, path, body);
    }

    JsonNode sendAll(String operation, String path, String field) {
        return operator.sendAll(operation, path, field);
    }

    abstract static class Sub implements Callable<Integer> {
        @ParentCommand
        AdminCommand admin;

        @Spec
        CommandSpec spec;

        int print(JsonNode json) {
            Calls.print(spec.commandLine().getOut(), json);
            return 0;
        }

        static ObjectNode object() {
            return Calls.MAPPER.createObjectNode();
        }
    }

    @Command(name = "create-account", description = "Create an account and its first (administrator) access key. "
            + "Prints accountId, accessKeyId and secretAccessKey; the secret is shown only this once. Without "
            + "--data-root the account can register no table until set-data-roots grants one.")
    static final class CreateAccount extends Sub {
        @Option(names = "--account-id", required = true, description = "12-digit account id")
        String accountId;

        @Option(names = "--name", required = true, description = "Account name")
        String name;

        @Option(names = "--data-root", paramLabel = "DIR", description = "An absolute directory the account's "
                + "catalog tables may point into (repeatable)")
        List<String> dataRoots = new java.util.ArrayList<>();

        @Override
        public Integer call() {
            ObjectNode body = object().put("accountId", accountId).put("name", name);
            if (!dataRoots.isEmpty()) {
                com.fasterxml.jackson.databind.node.ArrayNode roots = body.putArray("dataRoots");
                dataRoots.forEach(roots::add);
            }
            return print(admin.send("CreateAccount", "POST", "/admin/accounts", body));
        }
    }

    @Command(name = "list-accounts", description = "List accounts.")
    static final class ListAccounts extends Sub {
        @Override
        public Integer call() {
            return print(admin.sendAll("ListAccounts", "/admin/accounts", "accounts"));
        }
    }

    @Command(name = "disable-account", description = "Disable an account: all its keys stop working.")
    static final class DisableAccount extends Sub {
        @Option(names = "--account-id", required = true)
        String accountId;

        @Override
        public Integer call() {
            return print(admin.send("UpdateAccount", "PATCH", "/admin/accounts/" + Calls.encodeSegment(accountId),
                    object().put("enabled", false)));
        }
    }

    @Command(name = "enable-account", description = "Enable a disabled account.")
    static final class EnableAccount extends Sub {
        @Option(names = "--account-id", required = true)
        String accountId;

        @Override
        public Integer call() {
            return print(admin.send("UpdateAccount", "PATCH", "/admin/accounts/" + Calls.encodeSegment(accountId),
                    object().put("enabled", true)));
        }
    }

    @Command(name = "set-data-roots", description = "Set the directories and S3 folders (s3://bucket/folder/) the "
            + "account's catalog tables may point into, replacing the previous ones (repeat --path). With no --path "
            + "the account has none and can register no table.")
    static final class SetDataRoots extends Sub {
        @Option(names = "--account-id", required = true)
        String accountId;

        @Option(names = "--path", description = "An absolute directory, or an S3 folder s3://bucket/folder/, the "
                + "account's tables may point into")
        java.util.List<String> paths = new java.util.ArrayList<>();

        @Override
        public Integer call() {
            ObjectNode body = object();
            com.fasterxml.jackson.databind.node.ArrayNode roots = body.putArray("dataRoots");
            paths.forEach(roots::add);
            return print(admin.send("SetDataRoots", "PUT", "/admin/accounts/" + Calls.encodeSegment(accountId)
                    + "/dataRoots", body));
        }
    }

    @Command(name = "create-access-key", description = "Create another access key for an account.")
    static final class CreateAccessKey extends Sub {
        @Option(names = "--account-id", required = true)
        String accountId;

        @Option(names = "--role", defaultValue = "ADMINISTRATOR",
                description = "ADMINISTRATOR (everything) or ANALYST (run and read queries); default ${DEFAULT-VALUE}")
        String role;

        @Override
        public Integer call() {
            return print(admin.send("CreateAccessKey", "POST",
                    "/admin/accounts/" + Calls.encodeSegment(accountId) + "/keys", object().put("role", role)));
        }
    }

    @Command(name = "list-access-keys", description = "List an account's access keys (never their secrets).")
    static final class ListAccessKeys extends Sub {
        @Option(names = "--account-id", required = true)
        String accountId;

        @Override
        public Integer call() {
            return print(admin.sendAll("ListAccessKeys", "/admin/accounts/" + Calls.encodeSegment(accountId)
                    + "/keys", "accessKeys"));
        }
    }

    @Command(name = "disable-access-key", description = "Disable an access key.")
    static final class DisableAccessKey extends Sub {
        @Option(names = "--access-key-id", required = true)
        String keyId;

        @Override
        public Integer call() {
            return print(admin.send("UpdateAccessKey", "PATCH", "/admin/keys/" + Calls.encodeSegment(keyId),
                    object().put("active", false)));
        }
    }

    @Command(name = "enable-access-key", description = "Enable a disabled access key.")
    static final class EnableAccessKey extends Sub {
        @Option(names = "--access-key-id", required = true)
        String keyId;

        @Override
        public Integer call() {
            return print(admin.send("UpdateAccessKey", "PATCH", "/admin/keys/" + Calls.encodeSegment(keyId),
                    object().put("active", true)));
        }
    }

    @Command(name = "rotate-access-key",
            description = "Issue a new key with the same account and role and disable the old one.")
    static final class RotateAccessKey extends Sub {
        @Option(names = "--access-key-id", required = true)
        String keyId;

        @Override
        public Integer call() {
            return print(admin.send("RotateAccessKey", "POST",
                    "/admin/keys/" + Calls.encodeSegment(keyId) + "/rotate", null));
        }
    }

    @Command(name = "delete-access-key", description = "Delete an access key.")
    static final class DeleteAccessKey extends Sub {
        @Option(names = "--access-key-id", required = true)
        String keyId;

        @Override
        public Integer call() {
            return print(admin.send("DeleteAccessKey", "DELETE", "/admin/keys/" + Calls.encodeSegment(keyId), null));
        }
    }

    private static String connectionPath(String accountId, String name) {
        return "/admin/accounts/" + Calls.encodeSegment(accountId) + "/connections"
                + (name == null ? "" : "/" + Calls.encodeSegment(name));
    }

    @Command(name = "create-connection", description = "Store how the server reaches an account's data: an S3 "
            + "endpoint, region and access key pair, or a PostgreSQL JDBC URL, user and password. The secret comes "
            + "from " + ConnectionOptions.SECRET_ENV + ", or else the first line of standard input, and is never "
            + "shown again. Tables name the connection in Parameters.connectionName; their associations' roleArn "
            + "is arn:aws:iam::ACCOUNT:role/NAME.")
    static final class CreateConnection extends Sub {
        @Option(names = "--account-id", required = true)
        String accountId;

        @Option(names = "--name", required = true, description = "1-64 letters, digits and + = , . @ _ -")
        String name;

        @Mixin
        ConnectionOptions options;

        @Override
        public Integer call() {
            ObjectNode body = options.adminBody(ConnectionOptions.secret()).put("name", name);
            return print(admin.send("CreateConnection", "POST", connectionPath(accountId, null), body));
        }
    }

    @Command(name = "list-connections", description = "List an account's connections (never their secrets).")
    static final class ListConnections extends Sub {
        @Option(names = "--account-id", required = true)
        String accountId;

        @Override
        public Integer call() {
            return print(admin.sendAll("ListConnections", connectionPath(accountId, null), "connections"));
        }
    }

    @Command(name = "get-connection", description = "Show a connection (never its secret).")
    static final class GetConnection extends Sub {
        @Option(names = "--account-id", required = true)
        String accountId;

        @Option(names = "--name", required = true)
        String name;

        @Override
        public Integer call() {
            return print(admin.send("GetConnection", "GET", connectionPath(accountId, name), null));
        }
    }

    @Command(name = "update-connection", description = "Replace a connection's settings (its type stays). The "
            + "secret stays unless --replace-secret is given; it then comes as for create-connection.")
    static final class UpdateConnection extends Sub {
        @Option(names = "--account-id", required = true)
        String accountId;

        @Option(names = "--name", required = true)
        String name;

        @Option(names = "--replace-secret", description = "Read a new secret (from "
                + ConnectionOptions.SECRET_ENV + " or standard input)")
        boolean replaceSecret;

        @Mixin
        ConnectionOptions options;

        @Override
        public Integer call() {
            ObjectNode body = options.adminBody(replaceSecret ? ConnectionOptions.secret() : null);
            return print(admin.send("UpdateConnection", "PUT", connectionPath(accountId, name), body));
        }
    }

    @Command(name = "delete-connection", description = "Delete a connection (refused while a table names it).")
    static final class DeleteConnection extends Sub {
        @Option(names = "--account-id", required = true)
        String accountId;

        @Option(names = "--name", required = true)
        String name;

        @Override
        public Integer call() {
            return print(admin.send("DeleteConnection", "DELETE", connectionPath(accountId, name), null));
        }
    }
}
