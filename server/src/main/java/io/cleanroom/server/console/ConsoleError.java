package io.cleanroom.server.console;

/** A request the console refuses itself, with the status and a message safe to show. */
final class ConsoleError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    ConsoleError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }
}
