package io.cleanroom.app;

import picocli.CommandLine;

/**
 * Entry point of the full cleanroom jar (cleanroom.jar, what ./cleanroom runs): every command of
 * the client jar, and the server's own, server and demo.
 */
public final class Main {
    /** Exit code for a request the server refused (as the AWS CLI). */
    static final int SERVICE_ERROR = io.cleanroom.cli.Main.SERVICE_ERROR;
    /** Exit code for wrong usage or a local problem (as the AWS CLI). */
    static final int USAGE_ERROR = io.cleanroom.cli.Main.USAGE_ERROR;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return io.cleanroom.cli.Main.commandLine(new ServerCommand(), new DemoCommand());
    }
}
