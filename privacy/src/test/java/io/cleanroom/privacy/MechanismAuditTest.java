package io.cleanroom.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/**
 * The noise a policy adds to a count, audited empirically (see {@link PrivacyAudit}): a count of c
 * users and of c + 1 (one user added), each released 200,000 times with fresh noise, and the test
 * "guess the larger dataset when the answer exceeds c". The privacy loss it estimates stays within
 * the policy's per-statistic epsilon at 99.9% confidence, and comes close to it (the audit has the
 * power to see a mechanism with half the noise, which it catches).
 */
class MechanismAuditTest {

    private static final int TRIALS = 200_000;
    private static final double CONFIDENCE = 0.999;

    @Test
    void aNoisyCountLosesNoMoreThanItsEpsilon() {
        Calibration policy = new Calibration(10, 10);
        double epsilon = policy.epsilonPerStatistic().toDouble();
        double estimate = audit(policy.scale(Rational.ONE), 4242);
        assertThat(estimate).isLessThanOrEqualTo(epsilon).isGreaterThan(0.6 * epsilon);
    }

    @Test
    void theAuditCatchesAMechanismWithHalfTheNoise() {
        Calibration policy = new Calibration(10, 10);
        double epsilon = policy.epsilonPerStatistic().toDouble();
        double estimate = audit(policy.scale(Rational.ONE).times(Rational.of(1, 2)), 4243);
        assertThat(estimate).isGreaterThan(epsilon);
    }

    private static double audit(Rational scale, long seed) {
        ExactSampler sampler = new ExactSampler(new SeededBits(seed));
        long c = 1000;
        long falsePositives = 0;
        long falseNegatives = 0;
        for (int i = 0; i < TRIALS; i++) {
            long without = c + sampler.discreteLaplace(scale).longValueExact();
            long with = c + 1 + sampler.discreteLaplace(scale).longValueExact();
            falsePositives += without > c ? 1 : 0;
            falseNegatives += with > c ? 0 : 1;
        }
        return PrivacyAudit.epsilonLowerBound(falsePositives, falseNegatives, TRIALS, 0, CONFIDENCE);
    }
}
