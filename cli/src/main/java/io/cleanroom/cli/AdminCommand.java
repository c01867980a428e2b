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

/** The operator's commands: accounts and access keys, signed with the operator's credentials. */
@Command(name = "admin", description = "Operator commands: accounts and their access keys.",
        subcommands = {AdminCommand.CreateAccount.class, AdminCommand.ListAccounts.class,
                AdminCommand.DisableAccount.class, AdminCommand.EnableAccount.class,
                AdminCommand.SetDataRoots.class, AdminCommand.CreateAccessKey.class, AdminCommand.ListAccessKeys.class,
                AdminCommand.DisableAccessKey.class, AdminCommand.EnableAccessKey.class,
                AdminCommand.RotateAccessKey.class, AdminCommand.DeleteAccessKey.class})
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

    @Command(name = "set-data-roots", description = "Set the directories the account's catalog tables may point "
            + "into, replacing the previous ones (repeat --path). With no --path the account has none and can "
            + "register no table.")
    static final class SetDataRoots extends Sub {
        @Option(names = "--account-id", required = true)
        String accountId;

        @Option(names = "--path", description = "An absolute directory the account's tables may point into")
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
}
