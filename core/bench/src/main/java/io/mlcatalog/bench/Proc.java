package io.mlcatalog.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** What the operating system says about processes and the machine: memory, CPU time, load. */
final class Proc {
    private static final boolean LINUX = Files.isReadable(Path.of("/proc/self/status"));

    private Proc() {
    }

    /** Resident memory of a process, in kB; the breakdown only on Linux (else -1). */
    record Rss(long rssKb, long anonKb, long fileKb, long peakKb, String source) {
        double mb() {
            return rssKb / 1024.0;
        }
    }

    static Rss rss(long pid) {
        Path status = Path.of("/proc", Long.toString(pid), "status");
        if (Files.isReadable(status)) {
            try {
                long rss = -1, anon = -1, file = -1, hwm = -1;
                for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
                    if (line.startsWith("VmRSS:")) {
                        rss = kb(line);
                    } else if (line.startsWith("RssAnon:")) {
                        anon = kb(line);
                    } else if (line.startsWith("RssFile:")) {
                        file = kb(line);
                    } else if (line.startsWith("VmHWM:")) {
                        hwm = kb(line);
                    }
                }
                if (rss >= 0) {
                    return new Rss(rss, anon, file, hwm, "/proc/" + pid + "/status VmRSS");
                }
            } catch (IOException e) {
                // fall back to ps
            }
        }
        String out = run(List.of("ps", "-o", "rss=", "-p", Long.toString(pid))).strip();
        try {
            return new Rss(Long.parseLong(out), -1, -1, -1, "ps -o rss=");
        } catch (NumberFormatException e) {
            throw new BenchException("cannot read the resident memory of process " + pid + ": ps said '" + out + "'");
        }
    }

    private static long kb(String line) {
        String[] parts = line.split("\\s+");
        return Long.parseLong(parts[1]);
    }

    /**
     * The embedded PostgreSQL of a data directory: its postmaster (first line of
     * {@code pg-data/postmaster.pid}) and the postmaster's children.
     */
    static List<ProcessHandle> postgres(Path dataDir) {
        Path pidFile = dataDir.resolve("pg-data").resolve("postmaster.pid");
        try {
            long pid = Long.parseLong(Files.readAllLines(pidFile, StandardCharsets.UTF_8).get(0).strip());
            Optional<ProcessHandle> postmaster = ProcessHandle.of(pid);
            if (postmaster.isEmpty()) {
                return List.of();
            }
            List<ProcessHandle> all = new ArrayList<>();
            all.add(postmaster.get());
            postmaster.get().descendants().forEach(all::add);
            return all;
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /**
     * Proportional set size summed over processes (shared pages divided among their sharers, so the
     * sum is not inflated by PostgreSQL's shared memory), in kB; -1 where the OS does not say.
     */
    static long pssKb(List<ProcessHandle> processes) {
        long total = 0;
        for (ProcessHandle p : processes) {
            Path rollup = Path.of("/proc", Long.toString(p.pid()), "smaps_rollup");
            try {
                long pss = -1;
                for (String line : Files.readAllLines(rollup, StandardCharsets.UTF_8)) {
                    if (line.startsWith("Pss:")) {
                        pss = kb(line);
                        break;
                    }
                }
                if (pss < 0) {
                    return -1;
                }
                total += pss;
            } catch (IOException e) {
                return -1;
            }
        }
        return total;
    }

    /**
     * CPU time used so far (user + system) by the processes, in nanoseconds; on Linux including their
     * children that have exited (such as the {@code pg_ctl} the server runs to start PostgreSQL).
     */
    static long cpuNanos(List<ProcessHandle> processes) {
        long total = 0;
        for (ProcessHandle p : processes) {
            long linux = LINUX ? linuxCpuNanos(p.pid()) : -1;
            total += linux >= 0 ? linux : p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
        }
        return total;
    }

    private static long linuxCpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after the name: state(0) ... utime(11) stime(12) cutime(13) cstime(14)
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
            return ticks * 1_000_000_000L / clockTicks();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long clockTicks;

    private static synchronized long clockTicks() {
        if (clockTicks == 0) {
            try {
                clockTicks = Long.parseLong(run(List.of("getconf", "CLK_TCK")).strip());
            } catch (NumberFormatException e) {
                clockTicks = 100; // USER_HZ on every common Linux
            }
        }
        return clockTicks;
    }

    /** Busy and total jiffies of the whole machine ({@code /proc/stat}), or null off Linux. */
    record MachineCpu(long busy, long total) {
        /** Cores busy on average between {@code earlier} and this. */
        double coresBusySince(MachineCpu earlier, int cores) {
            long t = total - earlier.total;
            return t <= 0 ? Double.NaN : (double) (busy - earlier.busy) / t * cores;
        }
    }

    static MachineCpu machineCpu() {
        if (!LINUX) {
            return null;
        }
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new MachineCpu(total - idle, total);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    /** Runs a short command; its standard output and error together. */
    static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }

    static String memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return String.format("%.1f GiB", kb(line) / 1024.0 / 1024.0);
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return "n/a";
    }

    /** The machine a benchmark ran on, for its summary. */
    static String machine() {
        return Runtime.getRuntime().availableProcessors() + " CPUs (" + cpuModel() + "), " + memTotal() + " RAM, "
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + ", Java " + System.getProperty("java.runtime.version");
    }

    /** Removes a benchmark's temporary directory, as far as it can. */
    static void deleteTree(java.nio.file.Path dir) {
        if (!java.nio.file.Files.exists(dir)) {
            return;
        }
        try (var paths = java.nio.file.Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    java.nio.file.Files.delete(p);
                } catch (java.io.IOException e) {
                    // best effort
                }
            });
        } catch (java.io.IOException e) {
            ServeBench.say("could not remove " + dir + ": " + e.getMessage());
        }
    }
}
