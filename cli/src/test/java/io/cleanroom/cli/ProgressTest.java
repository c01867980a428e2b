package io.cleanroom.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressTest {
    @Test
    void theLineHasASpinnerTheStatusAndTheElapsedTime() {
        assertThat(Progress.line(0, "SUBMITTED", Duration.ofMillis(4_270)))
                .isEqualTo("| SUBMITTED  elapsed 4.2s  (Ctrl-C to cancel)");
        assertThat(Progress.line(1, "STARTED", Duration.ZERO)).startsWith("/ STARTED  elapsed 0.0s");
        assertThat(Progress.line(2, "STARTED", Duration.ZERO)).startsWith("- ");
        assertThat(Progress.line(3, "STARTED", Duration.ZERO)).startsWith("\\ ");
        assertThat(Progress.line(4, "STARTED", Duration.ZERO)).startsWith("| ");
    }

    @Test
    void elapsedTimeIsTenthsUnderAMinuteThenMinutesThenHours() {
        assertThat(Progress.elapsed(Duration.ofMillis(59_999))).isEqualTo("59.9s");
        assertThat(Progress.elapsed(Duration.ofSeconds(65))).isEqualTo("1m 05s");
        assertThat(Progress.elapsed(Duration.ofSeconds(3600 * 2 + 3 * 60 + 9))).isEqualTo("2h 03m 09s");
        assertThat(Progress.elapsed(Duration.ofMillis(-5))).isEqualTo("0.0s");
    }

    @Test
    void eachFrameIsRedrawnInPlaceOverTheLastAndClearingLeavesAnEmptyLine() {
        StringWriter text = new StringWriter();
        Progress progress = new Progress(new PrintWriter(text), true);
        progress.draw("CANCELLING", Duration.ofMillis(1_000));
        progress.draw("STARTED", Duration.ofMillis(1_100));
        String first = "| CANCELLING  elapsed 1.0s  (Ctrl-C to cancel)";
        String second = "/ STARTED  elapsed 1.1s  (Ctrl-C to cancel)";
        // no line break: a carriage return goes back, and spaces cover what the longer line left
        assertThat(text.toString()).isEqualTo("\r" + first + "\r" + second + " ".repeat(first.length() - second.length()));
        progress.clear();
        assertThat(text.toString()).endsWith("\r" + " ".repeat(second.length()) + "\r");
    }

    @Test
    void offATerminalNothingIsDrawn() {
        StringWriter text = new StringWriter();
        Progress progress = new Progress(new PrintWriter(text), false);
        progress.draw("STARTED", Duration.ofSeconds(1));
        progress.leave();
        progress.clear();
        assertThat(text.toString()).isEmpty();
    }
}
