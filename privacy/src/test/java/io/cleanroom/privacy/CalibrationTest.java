package io.cleanroom.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CalibrationTest {

    @Test
    void theLabsPolicyAllowsThreeHundredCounts() {
        // the AWS lab's policy: epsilon 10, 30 users of noise per query
        Calibration lab = new Calibration(10, 30);
        assertThat(lab.maxCounts()).containsEntry(Aggregation.COUNT, 300L).containsEntry(Aggregation.COUNT_DISTINCT, 300L)
                .containsEntry(Aggregation.SUM, 300L).containsEntry(Aggregation.AVG, 150L)
                .containsEntry(Aggregation.STDDEV, 100L);
        assertThat(lab.cost(Aggregation.AVG)).isEqualTo(Rational.of(1, 15));
        assertThat(lab.scale(Rational.of(5))).isEqualTo(Rational.of(150));
    }

    @Test
    void spendingCountsDownAndNeverBelowZero() {
        Calibration c = new Calibration(1, 10);
        Rational spent = Rational.ZERO;
        for (int i = 0; i < 7; i++) {
            spent = spent.plus(c.cost(Aggregation.COUNT));
        }
        assertThat(c.remainingCounts(spent)).containsEntry(Aggregation.COUNT, 3L).containsEntry(Aggregation.AVG, 1L)
                .containsEntry(Aggregation.STDDEV, 1L);
        assertThat(c.remainingCounts(Rational.of(2))).containsEntry(Aggregation.COUNT, 0L);
    }

    @Test
    void theReleaseThresholdBoundsTheChanceOfAOneUserGroup() {
        Calibration c = new Calibration(10, 30);
        for (double delta : new double[] {1e-5, 1e-7, 1e-9}) {
            long tau = c.releaseThreshold(delta);
            double q = Math.exp(-1.0 / 30);
            assertThat(Math.pow(q, tau - 1) / (1 + q)).isLessThanOrEqualTo(delta);
            // and it is not much larger than it needs to be
            assertThat(Math.pow(q, tau - 4) / (1 + q)).isGreaterThan(delta);
        }
    }

    @Test
    void aUserInSeveralGroupsRaisesTheThresholdForEachOfThem() {
        Calibration c = new Calibration(10, 10);
        for (long groups : new long[] {1, 3, 50}) {
            long tau = c.releaseThreshold(Calibration.PARTITION_DELTA, groups);
            // counts of users get noise of scale N·G; any of the G groups of one user alone shows with
            // probability at most delta in all
            double q = Math.exp(-1.0 / (10.0 * groups));
            assertThat(groups * Math.pow(q, tau - 1) / (1 + q)).isLessThanOrEqualTo(Calibration.PARTITION_DELTA);
            assertThat(groups * Math.pow(q, tau - 4) / (1 + q)).isGreaterThan(Calibration.PARTITION_DELTA);
        }
        assertThat(c.releaseThreshold(1e-5, 1)).isEqualTo(c.releaseThreshold(1e-5));
        assertThat(c.releaseThreshold(Calibration.PARTITION_DELTA, 3))
                .isGreaterThan(c.releaseThreshold(Calibration.PARTITION_DELTA, 1));
    }

    @Test
    void parametersOutsideAwsRangesAreRefused() {
        assertThatThrownBy(() -> new Calibration(0, 30)).hasMessageContaining("epsilon must be between 1 and 20");
        assertThatThrownBy(() -> new Calibration(21, 30)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Calibration(5, 9)).hasMessageContaining("usersNoisePerQuery");
        assertThatThrownBy(() -> new Calibration(5, 101)).isInstanceOf(IllegalArgumentException.class);
    }
}
