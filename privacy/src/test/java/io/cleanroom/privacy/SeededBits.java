package io.cleanroom.privacy;

import java.math.BigInteger;
import java.util.SplittableRandom;

/**
 * Reproducible randomness for tests only (production uses {@link RandomBits#secure()}):
 * SplittableRandom's unbiased bounded longs, and rejection over its bits beyond a long.
 */
public final class SeededBits implements RandomBits {
    private final SplittableRandom random;

    public SeededBits(long seed) {
        this.random = new SplittableRandom(seed);
    }

    @Override
    public BigInteger below(BigInteger bound) {
        if (bound.bitLength() < 63) {
            return BigInteger.valueOf(random.nextLong(bound.longValueExact()));
        }
        int length = bound.subtract(BigInteger.ONE).bitLength();
        while (true) {
            BigInteger candidate = BigInteger.ZERO;
            for (int bits = 0; bits < length; bits += 62) {
                candidate = candidate.shiftLeft(62).or(BigInteger.valueOf(random.nextLong() >>> 2));
            }
            candidate = candidate.and(BigInteger.ONE.shiftLeft(length).subtract(BigInteger.ONE));
            if (candidate.compareTo(bound) < 0) {
                return candidate;
            }
        }
    }
}
