package io.cleanroom.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A real terminal for a test: a command runs in a detached tmux session on a tmux server of the
 * test's own (its own socket, so no one else's sessions are touched), keys are typed with
 * send-keys and the screen is read with capture-pane. The pane stays after the command exits, so
 * its last screen can be read.
 */
final class Tmux implements AutoCloseable {
    /** How long to wait for the screen to show something: generous, as the machine may be busy. */
    static final Duration DEADLINE = Duration.ofSeconds(180);
    private static final AtomicInteger SESSIONS = new AtomicInteger();

    private final Path dir;
    private final String socket;
    private final Path config;
    private Path exitFile;

    Tmux(Path dir) throws IOException {
        this.dir = dir;
        this.socket = "cleanroom-it-" + ProcessHandle.current().pid() + "-" + SESSIONS.incrementAndGet();
        this.config = Files.writeString(dir.resolve("tmux.conf"), "set -g remain-on-exit on\n"
                + "set -g history-limit 10000\nset -g default-size 120x50\n");
    }

    /**
     * Runs the command, with the environment given, in a 120 x 50 terminal. A shell runs it and
     * writes its exit status to a file (tmux itself may mark a pane dead before it knows the status
     * of its process, and then never tell it); the shell's trap only keeps it alive through a
     * Ctrl-C meant for the command, and is not inherited by the command.
     */
    void start(List<String> command, Map<String, String> environment) throws IOException {
        int n = SESSIONS.incrementAndGet();
        exitFile = dir.resolve("exit-" + n);
        StringBuilder script = new StringBuilder("#!/bin/sh\ntrap : INT\n");
        environment.forEach((k, v) -> script.append("export ").append(k).append('=').append(quote(v)).append('\n'));
        command.forEach(c -> script.append(quote(c)).append(' '));
        script.append("\necho $? > ").append(quote(exitFile + ".partial")).append(" && mv ")
                .append(quote(exitFile + ".partial")).append(' ').append(quote(exitFile.toString())).append('\n');
        Path run = Files.writeString(dir.resolve("run-" + n + ".sh"), script);
        tmux("new-session", "-d", "-s", "it", "-x", "120", "-y", "50", "sh " + run);
    }

    private static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /**
     * What the terminal shows now and what scrolled off its top, wrapped lines joined, trailing
     * blank lines dropped (and the line tmux adds to a dead pane, "Pane is dead (status N, time)").
     */
    String screen() {
        return String.join("\n", tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "it").lines()
                .filter(l -> !l.startsWith("Pane is dead (")).toList()).stripTrailing();
    }

    /** Types keys, as tmux names them (C-c, Enter) or as text. */
    void keys(String... keys) {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", "it"));
        args.addAll(List.of(keys));
        tmux(args.toArray(String[]::new));
    }

    /** The screen once it satisfies the condition; fails with the screen after the deadline. */
    String await(String what, Predicate<String> condition) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        String screen = screen();
        while (!condition.test(screen)) {
            if (System.nanoTime() - deadline > 0) {
                fail("the terminal did not show " + what + " within " + DEADLINE.toSeconds() + " s; it shows:\n"
                        + screen);
            }
            Thread.sleep(100);
            screen = screen();
        }
        return screen;
    }

    /** The command's exit status once it has exited. */
    int awaitExit() throws InterruptedException {
        await("the command's end", s -> Files.exists(exitFile));
        try {
            return Integer.parseInt(Files.readString(exitFile).strip());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private String tmux(String... args) {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", socket, "-f", config.toString()));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
            assertThat(process.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot run tmux (install it: apt-get install tmux): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Ends this test's tmux server and what runs in it. */
    @Override
    public void close() {
        try {
            new ProcessBuilder("tmux", "-L", socket, "kill-server").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
        } catch (IOException e) {
            // no tmux: nothing was started
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
