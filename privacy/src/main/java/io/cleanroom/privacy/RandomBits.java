package io.cleanroom.privacy;

import java.math.BigInteger;
import java.security.SecureRandom;

/**
 * Uniform random integers, the only randomness the samplers use. Production draws from the
 * operating system's CSPRNG and is never seeded ({@link #secure()}); tests supply a seeded
 * implementation of their own.
 */
public interface RandomBits {

    /** A uniform integer in [0, bound), bound &gt; 0, exactly (no modulo bias). */
    BigInteger below(BigInteger bound);

    /** Randomness from {@link SecureRandom}, seeded by the operating system. */
    static RandomBits secure() {
        SecureRandom random = new SecureRandom();
        return bound -> uniformBelow(bound, random);
    }

    /** Rejection sampling over bitLength(bound - 1) bits of the CSPRNG: exact, no modulo bias. */
    private static BigInteger uniformBelow(BigInteger bound, SecureRandom bits) {
        if (bound.signum() <= 0) {
            throw new IllegalArgumentException("bound must be positive");
        }
        if (bound.equals(BigInteger.ONE)) {
            return BigInteger.ZERO;
        }
        int length = bound.subtract(BigInteger.ONE).bitLength();
        while (true) {
            BigInteger candidate = new BigInteger(length, bits);
            if (candidate.compareTo(bound) < 0) {
                return candidate;
            }
        }
    }
}
