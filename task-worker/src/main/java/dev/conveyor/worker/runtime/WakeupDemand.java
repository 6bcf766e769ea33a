package dev.conveyor.worker.runtime;

import java.util.concurrent.TimeUnit;

/**
 * Whether the claim loop can use a wake-up right now, set by the loop on every step ({@link Dispatcher#wakeupsMatter})
 * and read by the wake-up consumer before each fetch. While the loop works through a backlog or every slot is busy, a
 * wake-up changes nothing, and reading one means fetching and decoding every event of every task (in a profiled drain
 * 41% of the worker's samples). So the consumer stops reading then; when wake-ups matter again it goes on from the end
 * of the topic and wakes the loop once (a task queued in between is found by that claim).
 */
public final class WakeupDemand {
    private volatile boolean needed = true;

    /** The loop's latest answer; a change to needed wakes a consumer waiting in {@link #awaitNeeded}. */
    void set(boolean now) {
        if (now == needed) {
            return;
        }
        synchronized (this) {
            needed = now;
            if (now) {
                notifyAll();
            }
        }
    }

    public boolean needed() {
        return needed;
    }

    /** Waits until wake-ups are needed, at most {@code millis}; answers whether they are. */
    public boolean awaitNeeded(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (this) {
            long left;
            while (!needed && (left = deadline - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return needed;
        }
    }
}
