package io.cleanroom.cli;

import io.cleanroom.client.Operation;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the cleanroom command. */
@Command(name = "cleanroom", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, version = "cleanroom 0.1.0",
        description = {"Cleanroom: a self-hosted data clean room that speaks the AWS Clean Rooms API.",
                "",
                "Besides the commands below, every Clean Rooms operation is a command in kebab case",
                "(create-collaboration, list-schemas, ...): see 'cleanroom operations'."},
        subcommands = {AdminCommand.class, CatalogCommand.class, OperationsCommand.class,
                GetQueryResultsCommand.class, QueryCommand.class, AuditCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    /** Exit code for a request the server refused (as the AWS CLI). */
    public static final int SERVICE_ERROR = 254;
    /** Exit code for wrong usage or a local problem (as the AWS CLI). */
    public static final int USAGE_ERROR = 252;

    /** The commands of the full jar (cleanroom.jar), which this client jar leaves out. */
    private static final java.util.Set<String> SERVER_COMMANDS = java.util.Set.of("server", "demo");

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The member commands, every Clean Rooms operation, and the commands given (the server's). */
    public static CommandLine commandLine(Object... more) {
        CommandLine cl = new CommandLine(new Main());
        for (Object command : more) {
            // a CommandLine of its own, so that its model transformers run (picocli runs them once, when a
            // command line is built, not for subcommands added later)
            cl.addSubcommand(command instanceof CommandLine built ? built : new CommandLine(command));
        }
        for (Operation operation : Operation.values()) {
            cl.addSubcommand(kebab(operation.operationName()), new OperationCommand(operation));
        }
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println(e instanceof CliException ? e.getMessage() : "error: " + e);
            return e instanceof CliException c ? c.exitCode() : USAGE_ERROR;
        });
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine failed = e.getCommandLine();
            if (failed == cl && args.length > 0 && SERVER_COMMANDS.contains(args[0])
                    && !cl.getSubcommands().containsKey(args[0])) {
                failed.getErr().println("error: '" + args[0] + "' is a command of the full jar (cleanroom.jar, "
                        + "./cleanroom); this client jar has the member and operator commands only");
                return USAGE_ERROR;
            }
            failed.getErr().println("error: " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, failed.getErr());
            failed.getErr().println("See '" + failed.getCommandSpec().qualifiedName() + " --help'.");
            return USAGE_ERROR;
        });
        return cl;
    }

    /** CreateCollaboration to create-collaboration; collaborationIdentifier to collaboration-identifier. */
    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").replaceAll("([A-Z])([A-Z][a-z])", "$1-$2")
                .toLowerCase(Locale.ROOT);
    }

    /** collaboration-identifier to collaborationIdentifier. */
    static String camel(String kebab) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : kebab.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }
}
