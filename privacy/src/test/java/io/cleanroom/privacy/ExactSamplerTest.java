package io.cleanroom.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.TreeMap;
import java.util.function.IntToDoubleFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The samplers against their target distributions: chi-square goodness of fit over 100,000 draws
 * with fixed seeds, at a significance level of 1e-4, and the same statistic rejecting a nearby
 * wrong distribution (so the test has the power to see a wrong sampler).
 */
class ExactSamplerTest {

    private static final int DRAWS = 100_000;

    @Test
    void bernoulliExpMinusHasProbabilityExpMinusGamma() {
        ExactSampler sampler = new ExactSampler(new SeededBits(11));
        for (Rational gamma : new Rational[] {Rational.ZERO, Rational.of(1, 3), Rational.ONE, Rational.of(5, 2),
                Rational.of(4)}) {
            int n = 40_000;
            int hits = 0;
            for (int i = 0; i < n; i++) {
                hits += sampler.bernoulliExpMinus(gamma) ? 1 : 0;
            }
            double p = Math.exp(-gamma.toDouble());
            double sd = Math.sqrt(n * p * (1 - p));
            assertThat((double) hits).as("exp(-%s)", gamma).isBetween(n * p - 5 * sd - 1e-9, n * p + 5 * sd + 1e-9);
        }
    }

    @Test
    void bernoulliOfARationalIsExact() {
        ExactSampler sampler = new ExactSampler(new SeededBits(3));
        assertThat(sampler.bernoulli(Rational.ZERO)).isFalse();
        assertThat(sampler.bernoulli(Rational.ONE)).isTrue();
        assertThatThrownBy(() -> sampler.bernoulli(Rational.of(3, 2))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void discreteLaplaceMatchesItsDistribution() {
        for (Rational scale : new Rational[] {Rational.of(3), Rational.of(7, 2), Rational.of(1, 2)}) {
            ExactSampler sampler = new ExactSampler(new SeededBits(scale.hashCode()));
            TreeMap<Integer, Integer> counts = draw(() -> sampler.discreteLaplace(scale));
            double t = scale.toDouble();
            assertThat(fit(counts, x -> laplace(t, x)).accepted()).as("scale %s", scale).isTrue();
            // power: the same draws are rejected as coming from a scale 10% larger
            assertThat(fit(counts, x -> laplace(t * 1.1, x)).accepted()).isFalse();
        }
    }

    @Test
    void discreteGaussianMatchesItsDistribution() {
        for (Rational sigma2 : new Rational[] {Rational.of(9), Rational.of(5, 2), Rational.of(400)}) {
            ExactSampler sampler = new ExactSampler(new SeededBits(sigma2.hashCode() + 1));
            TreeMap<Integer, Integer> counts = draw(() -> sampler.discreteGaussian(sigma2));
            double s2 = sigma2.toDouble();
            assertThat(fit(counts, x -> gaussian(s2, x)).accepted()).as("sigma² %s", sigma2).isTrue();
            assertThat(fit(counts, x -> gaussian(s2 * 1.1, x)).accepted()).isFalse();
            double mean = counts.entrySet().stream().mapToDouble(e -> (double) e.getKey() * e.getValue()).sum() / DRAWS;
            assertThat(Math.abs(mean)).isLessThan(5 * Math.sqrt(s2 / DRAWS));
        }
    }

    @Test
    void parametersWithLargeDenominatorsAreExact() {
        // 0.1 as a double is 3602879701896397/2^55: the draws use all of its bits
        Rational p = Rational.ofDouble(0.1);
        assertThat(p.denominator()).isEqualTo(BigInteger.TWO.pow(55));
        ExactSampler sampler = new ExactSampler(new SeededBits(5));
        int n = 40_000;
        int hits = 0;
        for (int i = 0; i < n; i++) {
            hits += sampler.bernoulli(p) ? 1 : 0;
        }
        assertThat((double) hits).isBetween(n * 0.1 - 5 * Math.sqrt(n * 0.09), n * 0.1 + 5 * Math.sqrt(n * 0.09));
        Rational sigma2 = Rational.ofDouble(2.7);
        TreeMap<Integer, Integer> counts = draw(() -> sampler.discreteGaussian(sigma2));
        assertThat(fit(counts, x -> gaussian(2.7, x)).accepted()).isTrue();
    }

    @Test
    void parametersMustBePositive() {
        ExactSampler sampler = new ExactSampler(new SeededBits(1));
        assertThatThrownBy(() -> sampler.discreteLaplace(Rational.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sampler.discreteGaussian(Rational.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Rational.of(-1, 2)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void secureRandomnessDrawsUniformlyBelowTheBound() {
        RandomBits secure = RandomBits.secure();
        int[] seen = new int[3];
        for (int i = 0; i < 3000; i++) {
            BigInteger v = secure.below(BigInteger.valueOf(3));
            seen[v.intValueExact()]++;
        }
        assertThat(java.util.Arrays.stream(seen).boxed().toList()).allSatisfy(c -> assertThat(c).isBetween(800, 1200));
        assertThat(secure.below(BigInteger.ONE)).isZero();
    }

    // ---- the statistic ----

    private static TreeMap<Integer, Integer> draw(Supplier<BigInteger> sample) {
        TreeMap<Integer, Integer> counts = new TreeMap<>();
        for (int i = 0; i < DRAWS; i++) {
            counts.merge(sample.get().intValueExact(), 1, Integer::sum);
        }
        return counts;
    }

    static double laplace(double t, int x) {
        double q = Math.exp(-1 / t);
        return (1 - q) / (1 + q) * Math.pow(q, Math.abs(x));
    }

    static double gaussian(double sigma2, int x) {
        double z = 0;
        int bound = (int) (40 * Math.sqrt(sigma2)) + 40;
        for (int k = -bound; k <= bound; k++) {
            z += Math.exp(-(double) k * k / (2 * sigma2));
        }
        return Math.exp(-(double) x * x / (2 * sigma2)) / z;
    }

    /** A chi-square statistic and its critical value at 1e-4 for its degrees of freedom (Wilson–Hilferty). */
    record Fit(double statistic, double critical) {
        boolean accepted() {
            return statistic < critical;
        }
    }

    /** Bins are the integers whose expected count is at least 5 under the target, plus one bin for the rest. */
    static Fit fit(TreeMap<Integer, Integer> counts, IntToDoubleFunction pmf) {
        double statistic = 0;
        double restExpected = DRAWS;
        long restObserved = DRAWS;
        int bins = 0;
        for (int x = -10_000; x <= 10_000; x++) {
            double expected = DRAWS * pmf.applyAsDouble(x);
            if (expected >= 5) {
                int observed = counts.getOrDefault(x, 0);
                statistic += (observed - expected) * (observed - expected) / expected;
                restExpected -= expected;
                restObserved -= observed;
                bins++;
            }
        }
        if (restExpected > 1e-9) {
            statistic += (restObserved - restExpected) * (restObserved - restExpected) / restExpected;
            bins++;
        }
        double k = bins - 1;
        double z = 3.719;
        double c = 1 - 2 / (9 * k) + z * Math.sqrt(2 / (9 * k));
        return new Fit(statistic, k * c * c * c);
    }
}
