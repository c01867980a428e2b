package io.cleanroom.cli;

import java.io.Console;

/** Whether the command talks to a person at a terminal. */
final class Terminal {
    private Terminal() {
    }

    /**
     * True when standard input and output are a terminal: System.console() exists then (on Java
     * 17 to 21 only then; from Java 22 it may exist for redirected streams too, and says so with
     * isTerminal(), asked for by reflection so that this still compiles for Java 17).
     */
    static boolean interactive() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}
