package io.mlcatalog.plugins.openlineage;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/** Runs code in a thread with a stack far smaller than any server thread's: what recurses per level of nesting overflows it. */
final class SmallStack {
    static final long BYTES = 96 * 1024;

    private SmallStack() {
    }

    static <T> T call(Callable<T> code) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                result.set(code.call());
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "small-stack", BYTES);
        t.start();
        t.join();
        if (failure.get() instanceof Exception e) {
            throw e;
        }
        if (failure.get() != null) {
            throw new AssertionError("failed on a stack of " + BYTES + " bytes", failure.get());
        }
        return result.get();
    }
}
