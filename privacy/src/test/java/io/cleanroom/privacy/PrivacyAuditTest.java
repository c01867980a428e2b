package io.cleanroom.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class PrivacyAuditTest {

    @Test
    void clopperPearsonMatchesClosedForms() {
        // k = 0: the upper limit solves (1 - p)^n = alpha
        assertThat(PrivacyAudit.clopperPearsonUpper(0, 10, 0.025)).isCloseTo(1 - Math.pow(0.025, 0.1), within(1e-9));
        // k = n - 1: P(X <= n - 1) = 1 - p^n = alpha
        assertThat(PrivacyAudit.clopperPearsonUpper(9, 10, 0.025)).isCloseTo(Math.pow(0.975, 0.1), within(1e-9));
        assertThat(PrivacyAudit.clopperPearsonUpper(10, 10, 0.025)).isEqualTo(1.0);
    }

    @Test
    void aPerfectTestOfManyTrialsBoundsEpsilonFromBelowOnly() {
        // a test that never errs over 1000 trials shows at most ln(1 / upper(0 of 1000))
        double bound = PrivacyAudit.epsilonLowerBound(0, 0, 1000, 0, 0.95);
        assertThat(bound).isCloseTo(Math.log((1 - (1 - Math.pow(0.025, 0.001))) / (1 - Math.pow(0.025, 0.001))),
                within(1e-6));
        // a coin flip shows nothing
        assertThat(PrivacyAudit.epsilonLowerBound(500, 500, 1000, 0, 0.95)).isZero();
    }
}
