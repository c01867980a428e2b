package io.cleanroom.privacy;

import static java.util.Objects.requireNonNull;

import java.math.BigInteger;

/**
 * A non-negative rational number n/d in lowest terms, d &gt; 0. The samplers compute with these so
 * that no probability is ever rounded.
 */
public record Rational(BigInteger numerator, BigInteger denominator) implements Comparable<Rational> {

    public static final Rational ZERO = new Rational(BigInteger.ZERO, BigInteger.ONE);
    public static final Rational ONE = new Rational(BigInteger.ONE, BigInteger.ONE);

    public Rational {
        requireNonNull(numerator, "numerator is null");
        requireNonNull(denominator, "denominator is null");
        if (denominator.signum() <= 0) {
            throw new IllegalArgumentException("denominator must be positive");
        }
        if (numerator.signum() < 0) {
            throw new IllegalArgumentException("a sampler parameter is never negative");
        }
        BigInteger g = numerator.gcd(denominator);
        if (!g.equals(BigInteger.ONE) && g.signum() != 0) {
            numerator = numerator.divide(g);
            denominator = denominator.divide(g);
        }
        if (numerator.signum() == 0) {
            denominator = BigInteger.ONE;
        }
    }

    public static Rational of(long numerator, long denominator) {
        return new Rational(BigInteger.valueOf(numerator), BigInteger.valueOf(denominator));
    }

    public static Rational of(long integer) {
        return of(integer, 1);
    }

    /**
     * The exact value of a finite, non-negative double (every double is a dyadic rational), so a
     * configured parameter such as epsilon = 0.1 is used as the double it is, without further rounding.
     */
    public static Rational ofDouble(double value) {
        if (!Double.isFinite(value) || value < 0) {
            throw new IllegalArgumentException("a sampler parameter is finite and not negative");
        }
        java.math.BigDecimal exact = new java.math.BigDecimal(value);
        BigInteger unscaled = exact.unscaledValue();
        int scale = exact.scale();
        return scale >= 0 ? new Rational(unscaled, BigInteger.TEN.pow(scale))
                : new Rational(unscaled.multiply(BigInteger.TEN.pow(-scale)), BigInteger.ONE);
    }

    public Rational plus(Rational other) {
        return new Rational(numerator.multiply(other.denominator).add(other.numerator.multiply(denominator)),
                denominator.multiply(other.denominator));
    }

    /** this - other, which must not be negative. */
    public Rational minus(Rational other) {
        return new Rational(numerator.multiply(other.denominator).subtract(other.numerator.multiply(denominator)),
                denominator.multiply(other.denominator));
    }

    /** |this - other|. */
    public Rational distance(Rational other) {
        return compareTo(other) >= 0 ? minus(other) : other.minus(this);
    }

    public Rational times(Rational other) {
        return new Rational(numerator.multiply(other.numerator), denominator.multiply(other.denominator));
    }

    public Rational dividedBy(Rational other) {
        if (other.numerator.signum() == 0) {
            throw new ArithmeticException("division by zero");
        }
        return new Rational(numerator.multiply(other.denominator), denominator.multiply(other.numerator));
    }

    public BigInteger floor() {
        return numerator.divide(denominator);
    }

    /** floor(sqrt(this)), exactly: k &lt;= sqrt(x) exactly when k*k &lt;= floor(x). */
    public BigInteger floorSqrt() {
        return floor().sqrt();
    }

    public boolean isZero() {
        return numerator.signum() == 0;
    }

    public double toDouble() {
        return new java.math.BigDecimal(numerator).divide(new java.math.BigDecimal(denominator),
                java.math.MathContext.DECIMAL64).doubleValue();
    }

    @Override
    public int compareTo(Rational other) {
        return numerator.multiply(other.denominator).compareTo(other.numerator.multiply(denominator));
    }

    @Override
    public String toString() {
        return denominator.equals(BigInteger.ONE) ? numerator.toString() : numerator + "/" + denominator;
    }
}
