package io.cleanroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class InterruptsTest {
    @Test
    void aCtrlCWakesTheWaitingCommandWhichThenAsks() throws Exception {
        AtomicInteger second = new AtomicInteger();
        Interrupts interrupts = new Interrupts(second::incrementAndGet, false);
        CountDownLatch woken = new CountDownLatch(1);
        Thread waiter = new Thread(() -> {
            // far longer than the test waits: only the Ctrl-C can end it in time
            interrupts.await(TimeUnit.HOURS.toMillis(1));
            woken.countDown();
        });
        waiter.setDaemon(true);
        waiter.start();
        assertThat(interrupts.take()).isFalse();
        interrupts.interrupt();
        assertThat(woken.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(interrupts.take()).isTrue();
        assertThat(interrupts.take()).as("one Ctrl-C, one question").isFalse();
        // a Ctrl-C while the question is open leaves instead of asking again
        interrupts.interrupt();
        assertThat(second).hasValue(1);
        assertThat(interrupts.take()).isFalse();
        interrupts.answered();
        interrupts.interrupt();
        assertThat(second).hasValue(1);
        assertThat(interrupts.take()).isTrue();
        waiter.join();
    }

    @Test
    void aCtrlCBeforeTheWaitIsNotLost() {
        Interrupts interrupts = new Interrupts(() -> {
        }, false);
        interrupts.interrupt();
        // returns at once: the request is there already
        interrupts.await(TimeUnit.HOURS.toMillis(1));
        assertThat(interrupts.take()).isTrue();
    }

    @Test
    void thisJvmLetsTheCommandHandleSigint() {
        assertThat(Interrupts.available()).isTrue();
        try (Interrupts installed = Interrupts.catching(() -> {
        })) {
            assertThat(installed).isNotNull();
        }
    }
}
