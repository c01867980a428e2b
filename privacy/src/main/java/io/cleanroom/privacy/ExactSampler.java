package io.cleanroom.privacy;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;

/**
 * Exact samplers for the discrete Laplace and discrete Gaussian distributions over the integers,
 * computed with integer and rational arithmetic only, from uniform random integers.
 *
 * <p>The algorithms are those of C. Canonne, G. Kamath and T. Steinke, "The Discrete Gaussian for
 * Differential Privacy", NeurIPS 2020 (arXiv:2004.00010), Algorithms 1–3: Bernoulli(exp(-γ)) for a
 * rational γ by von Neumann's series method, the discrete Laplace by a geometric number of
 * exp(-1) trials plus a uniform remainder, and the discrete Gaussian by rejection from a discrete
 * Laplace. Every probability is rational, so no floating-point value is ever rounded into the
 * noise: a floating-point Laplace sampler leaks the true value through the low bits of its output
 * (I. Mironov, "On Significance of the Least Significant Bits for Differential Privacy", CCS
 * 2012), these do not.
 */
public final class ExactSampler {

    private final RandomBits random;

    public ExactSampler(RandomBits random) {
        this.random = requireNonNull(random, "random is null");
    }

    /** True with probability p, p in [0, 1]. */
    public boolean bernoulli(Rational p) {
        if (p.compareTo(Rational.ONE) > 0) {
            throw new IllegalArgumentException("a probability is at most 1");
        }
        return random.below(p.denominator()).compareTo(p.numerator()) < 0;
    }

    /** True with probability exp(-gamma), gamma &gt;= 0 (Algorithm 1). */
    public boolean bernoulliExpMinus(Rational gamma) {
        BigInteger whole = gamma.floor();
        // exp(-gamma) = exp(-1)^floor(gamma) * exp(-(gamma - floor(gamma))): independent trials
        for (BigInteger k = BigInteger.ZERO; k.compareTo(whole) < 0; k = k.add(BigInteger.ONE)) {
            if (!bernoulliExpMinusAtMostOne(Rational.ONE)) {
                return false;
            }
        }
        return bernoulliExpMinusAtMostOne(gamma.minus(new Rational(whole, BigInteger.ONE)));
    }

    /**
     * exp(-gamma) for gamma in [0, 1]: draw A_k ~ Bernoulli(gamma / k) for k = 1, 2, ... until one is
     * 0; the number K of the first 0 is odd with probability exp(-gamma).
     */
    private boolean bernoulliExpMinusAtMostOne(Rational gamma) {
        BigInteger k = BigInteger.ONE;
        while (bernoulli(gamma.dividedBy(new Rational(k, BigInteger.ONE)))) {
            k = k.add(BigInteger.ONE);
        }
        return k.testBit(0);
    }

    /**
     * The discrete Laplace distribution with scale t &gt; 0: P(x) proportional to exp(-|x| / t) for
     * every integer x (Algorithm 2, with t = numerator / denominator).
     */
    public BigInteger discreteLaplace(Rational scale) {
        if (scale.isZero()) {
            throw new IllegalArgumentException("the scale must be positive");
        }
        BigInteger t = scale.numerator();
        BigInteger s = scale.denominator();
        while (true) {
            BigInteger u = random.below(t);
            if (!bernoulliExpMinus(new Rational(u, t))) {
                continue;
            }
            BigInteger v = BigInteger.ZERO;
            while (bernoulliExpMinus(Rational.ONE)) {
                v = v.add(BigInteger.ONE);
            }
            BigInteger x = u.add(t.multiply(v));
            BigInteger y = x.divide(s);
            boolean negative = random.below(BigInteger.TWO).signum() != 0;
            if (negative && y.signum() == 0) {
                continue;
            }
            return negative ? y.negate() : y;
        }
    }

    /**
     * The discrete Gaussian distribution with parameter sigma² &gt; 0 centred on 0: P(x) proportional to
     * exp(-x² / (2 sigma²)) for every integer x (Algorithm 3).
     */
    public BigInteger discreteGaussian(Rational sigmaSquared) {
        if (sigmaSquared.isZero()) {
            throw new IllegalArgumentException("sigma² must be positive");
        }
        Rational t = new Rational(sigmaSquared.floorSqrt().add(BigInteger.ONE), BigInteger.ONE);
        Rational sigmaSquaredOverT = sigmaSquared.dividedBy(t);
        Rational twoSigmaSquared = sigmaSquared.times(Rational.of(2));
        while (true) {
            BigInteger y = discreteLaplace(t);
            Rational distance = new Rational(y.abs(), BigInteger.ONE).distance(sigmaSquaredOverT);
            if (bernoulliExpMinus(distance.times(distance).dividedBy(twoSigmaSquared))) {
                return y;
            }
        }
    }
}
