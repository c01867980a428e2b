package io.cleanroom.privacy;

/**
 * An empirical lower bound on a mechanism's privacy loss, by the method of M. Jagielski, J. Ullman
 * and A. Oprea, "Auditing Differentially Private Machine Learning: How Private is Private SGD?",
 * NeurIPS 2020: run the mechanism many times on two neighbouring datasets, let a fixed test guess
 * which one produced each output, bound its false-positive and false-negative rates from above with
 * Clopper–Pearson intervals, and report epsilon_LB = max(ln((1 - δ - FNR)/FPR), ln((1 - δ - FPR)/FNR)).
 * An ε-DP mechanism has epsilon_LB &lt;= ε with the interval's confidence.
 */
public final class PrivacyAudit {

    private PrivacyAudit() {
    }

    /**
     * falsePositives: outputs of the first dataset the test took for the second, of trials;
     * falseNegatives: outputs of the second taken for the first, of trials.
     */
    public static double epsilonLowerBound(long falsePositives, long falseNegatives, long trials, double delta,
            double confidence) {
        double alpha = (1 - confidence) / 2; // two intervals, one side each
        double fpr = clopperPearsonUpper(falsePositives, trials, alpha);
        double fnr = clopperPearsonUpper(falseNegatives, trials, alpha);
        double a = Math.log(Math.max(1e-300, 1 - delta - fnr) / fpr);
        double b = Math.log(Math.max(1e-300, 1 - delta - fpr) / fnr);
        return Math.max(0, Math.max(a, b));
    }

    /** The p at which P(Binomial(n, p) &lt;= k) = alpha: the exact upper confidence limit. */
    public static double clopperPearsonUpper(long k, long n, double alpha) {
        if (k >= n) {
            return 1;
        }
        double lo = (double) k / n;
        double hi = 1;
        for (int i = 0; i < 80; i++) {
            double mid = (lo + hi) / 2;
            if (binomialCdf(k, n, mid) > alpha) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return hi;
    }

    /** P(Binomial(n, p) &lt;= k), summed in log space. */
    static double binomialCdf(long k, long n, double p) {
        double logP = Math.log(p);
        double logQ = Math.log1p(-p);
        double logTerm = n * logQ; // j = 0
        double max = logTerm;
        double[] logs = new double[(int) k + 1];
        logs[0] = logTerm;
        for (long j = 1; j <= k; j++) {
            logTerm += Math.log((double) (n - j + 1) / j) + logP - logQ;
            logs[(int) j] = logTerm;
            max = Math.max(max, logTerm);
        }
        double sum = 0;
        for (double l : logs) {
            sum += Math.exp(l - max);
        }
        return Math.min(1, Math.exp(max) * sum);
    }
}
