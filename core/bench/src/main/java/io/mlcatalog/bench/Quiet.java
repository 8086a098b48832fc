package io.mlcatalog.bench;

import java.util.Locale;

/** On a shared machine: how busy the CPUs are, and waiting for other work to leave them alone. */
final class Quiet {
    private Quiet() {
    }

    /**
     * Waits (at most {@code seconds}) until other processes keep less than {@link Report#NOISE} cores busy
     * over a second, so that a measurement does not start in the middle of somebody's build. It cannot stop
     * one from starting later: the reports say.
     */
    static void waitQuiet(double seconds) {
        if (seconds <= 0) {
            return;
        }
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        double busy = background(1000);
        if (!(busy > Report.NOISE)) {
            return;
        }
        ServeBench.say(String.format(Locale.ROOT, "  (the machine is busy with other work, %.2f cores: waiting up to %.0f s for it to quieten)",
                busy, seconds));
        while (busy > Report.NOISE && System.nanoTime() < deadline) {
            busy = background(1000);
        }
        if (busy > Report.NOISE) {
            ServeBench.say(String.format(Locale.ROOT, "  (still %.2f cores busy: measuring anyway)", busy));
        }
    }

    /** Sleeps; returns how many cores the machine kept busy meanwhile (NaN off Linux). */
    static double background(long millis) {
        Proc.MachineCpu before = Proc.machineCpu();
        ServerProcess.sleep(millis);
        Proc.MachineCpu after = Proc.machineCpu();
        return before == null || after == null ? Double.NaN
                : after.coresBusySince(before, Runtime.getRuntime().availableProcessors());
    }
}
