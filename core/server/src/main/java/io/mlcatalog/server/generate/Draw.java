package io.mlcatalog.server.generate;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The generator's one source of randomness. Everything is drawn from a single seeded
 * {@link SplittableRandom} in a fixed order, so the same seed and scale give the same catalog on any
 * JVM (SplittableRandom's algorithm is specified, not an implementation detail).
 */
final class Draw {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final SplittableRandom random;

    Draw(long seed) {
        this.random = new SplittableRandom(seed);
    }

    int below(int bound) {
        return random.nextInt(bound);
    }

    /** A whole number in {@code [from, to]}. */
    int between(int from, int to) {
        return from + random.nextInt(to - from + 1);
    }

    long between(long from, long to) {
        return from + random.nextLong(to - from + 1);
    }

    double uniform() {
        return random.nextDouble();
    }

    boolean chance(double p) {
        return random.nextDouble() < p;
    }

    /** Spread over orders of magnitude, as sizes and durations are. */
    double logUniform(double from, double to) {
        return Math.exp(Math.log(from) + random.nextDouble() * (Math.log(to) - Math.log(from)));
    }

    <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }

    String hex(int digits) {
        char[] c = new char[digits];
        long bits = 0;
        for (int i = 0; i < digits; i++) {
            if (i % 16 == 0) {
                bits = random.nextLong();
            }
            c[i] = HEX[(int) (bits & 15)];
            bits >>>= 4;
        }
        return new String(c);
    }

    /** {@code n} sorted times, uniform in {@code [from, to)}. */
    long[] sortedTimes(int n, long from, long to) {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = from + (long) (random.nextDouble() * (to - from));
        }
        Arrays.sort(t);
        return t;
    }

    void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int x = a[i];
            a[i] = a[j];
            a[j] = x;
        }
    }

    /** Ranks 0..n-1 drawn with probability proportional to 1/(rank+1)^exponent: a few very often, most rarely. */
    Zipf zipf(int n, double exponent) {
        return new Zipf(n, exponent);
    }

    final class Zipf {
        private final double[] cumulative;

        private Zipf(int n, double exponent) {
            cumulative = new double[n];
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += 1 / Math.pow(i + 1, exponent);
                cumulative[i] = sum;
            }
            for (int i = 0; i < n; i++) {
                cumulative[i] /= sum;
            }
        }

        int next() {
            int i = Arrays.binarySearch(cumulative, random.nextDouble());
            return Math.min(cumulative.length - 1, i >= 0 ? i : -i - 1);
        }
    }

    /**
     * Splits {@code total} into parts proportional to {@code weights}, each at least {@code min}, summing
     * exactly to {@code total} (largest remainder; ties to the lower index, so it is deterministic).
     */
    static int[] allocate(int total, double[] weights, int min) {
        int n = weights.length;
        int[] parts = new int[n];
        int rest = total - min * n;
        if (rest < 0) {
            throw new IllegalArgumentException("cannot give " + n + " parts at least " + min + " each out of " + total);
        }
        double sum = 0;
        for (double w : weights) {
            sum += w;
        }
        double[] remainder = new double[n];
        int given = 0;
        for (int i = 0; i < n; i++) {
            double exact = sum == 0 ? (double) rest / n : rest * weights[i] / sum;
            parts[i] = min + (int) Math.floor(exact);
            remainder[i] = exact - Math.floor(exact);
            given += parts[i] - min;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> remainder[a] != remainder[b] ? Double.compare(remainder[b], remainder[a]) : Integer.compare(a, b));
        for (int k = 0; given < rest; k = (k + 1) % n) {
            parts[order[k]]++;
            given++;
        }
        return parts;
    }
}
