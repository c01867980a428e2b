package io.cleanroom.cli;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Ctrl-C (SIGINT) while a query runs on a terminal: instead of ending the JVM it is noted, and
 * the command, woken at once, asks whether to cancel the query. A second Ctrl-C while that
 * question is open leaves at once (the query keeps running). Closing restores the previous
 * handler.
 *
 * <p>The JDK's only way to handle a signal is sun.misc.Signal (module jdk.unsupported), used
 * through reflection so that the build has no warning about it and a JVM without it still runs
 * the command: there Ctrl-C ends the JVM as usual, and the command's shutdown hook says that the
 * query continues on the server.
 */
final class Interrupts implements AutoCloseable {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition woken = lock.newCondition();
    private final AtomicBoolean requested = new AtomicBoolean();
    private final AtomicBoolean asking = new AtomicBoolean();
    private final Runnable onSecond;
    private final Object previous;

    Interrupts(Runnable onSecond, boolean install) {
        this.onSecond = onSecond;
        this.previous = install ? handle(Proxy.newProxyInstance(Interrupts.class.getClassLoader(),
                new Class<?>[] {signal("sun.misc.SignalHandler")}, (proxy, method, args) -> switch (method.getName()) {
                    case "handle" -> {
                        interrupt();
                        yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> "Interrupts";
                })) : null;
    }

    /** Whether this JVM lets a program handle SIGINT. */
    static boolean available() {
        try {
            signal("sun.misc.Signal");
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private static Class<?> signal(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("no " + name + " in this JVM", e);
        }
    }

    /** sun.misc.Signal.handle(new Signal("INT"), handler): installs the handler, returns the one before. */
    private static Object handle(Object handler) {
        try {
            Class<?> signal = signal("sun.misc.Signal");
            Method handle = signal.getMethod("handle", signal, signal("sun.misc.SignalHandler"));
            return handle.invoke(null, signal.getConstructor(String.class).newInstance("INT"), handler);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot handle SIGINT: " + e, e);
        }
    }

    /**
     * Catches SIGINT until closed (where the JVM allows it, else catches nothing); onSecond runs
     * on a Ctrl-C while the question is open.
     */
    static Interrupts catching(Runnable onSecond) {
        return available() ? new Interrupts(onSecond, true) : none();
    }

    /** Catches nothing: waiting only sleeps. */
    static Interrupts none() {
        return new Interrupts(() -> {
        }, false);
    }

    /** What a SIGINT does: notes it and wakes the waiting command, or, while the question is open, runs onSecond. */
    void interrupt() {
        if (asking.get()) {
            onSecond.run();
            return;
        }
        requested.set(true);
        lock.lock();
        try {
            woken.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Whether a Ctrl-C came since the last call; the question is then open until {@link #answered()}. */
    boolean take() {
        if (requested.getAndSet(false)) {
            asking.set(true);
            return true;
        }
        return false;
    }

    void answered() {
        asking.set(false);
    }

    /** Sleeps up to the time given, or until a Ctrl-C. */
    void await(long millis) {
        lock.lock();
        try {
            if (!requested.get()) {
                woken.await(millis, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        if (previous != null) {
            handle(previous);
        }
    }
}
