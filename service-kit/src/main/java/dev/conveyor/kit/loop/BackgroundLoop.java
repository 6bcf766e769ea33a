package dev.conveyor.kit.loop;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.jboss.logging.Logger;

/**
 * One lifecycle for a service's background loops: a daemon thread named after the loop runs its step again and again
 * from {@link #start()} until {@link #close()}, pausing between steps as long as a {@link PacedStep} asks (a periodic
 * job) or not at all (a {@link Step} that blocks waiting for work). What happens when a step throws is the loop's
 * {@link OnFailure} policy: by default the step is logged and run again after a backoff that doubles from
 * {@code firstBackoff} up to {@code maxBackoff} and resets after a step that succeeds, so the loop never dies of a
 * failure; with {@link OnFailure#STOP} the loop ends and stays down (a Kafka consumer whose position is no longer
 * trustworthy must leave its group rather than go on). {@link #health()} is a readiness answer named after the loop:
 * down while it is not started, closed, stopped, or has failed its last step.
 * <p>
 * Pauses and backoffs wait on a condition that {@link #close()} signals, never in {@code Thread.sleep}. A loop whose
 * step blocks in a client with its own wake-up (Kafka's {@code wakeup()}) names it with {@link Builder#wakeWith}, and
 * close calls it instead of interrupting the thread. (Its size, about 300 lines, is the nested {@link Builder}: the
 * options of one loop, kept beside the loop they configure.)
 */
public final class BackgroundLoop implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BackgroundLoop.class);

    /** One pass of the loop; it may block (waiting for work) and must return when its thread is interrupted. */
    @FunctionalInterface
    public interface Step {
        void run() throws Exception;
    }

    /** One pass that answers how long to wait before the next ({@link Duration#ZERO}: at once). */
    @FunctionalInterface
    public interface PacedStep {
        Duration run() throws Exception;
    }

    /** What a step that throws does to the loop. */
    public enum OnFailure {
        /** Log, wait the backoff, run the step again (the loop never dies of a failure). */
        RETRY_WITH_BACKOFF,
        /** Log and end the loop; it reports down until it is closed. */
        STOP
    }

    private final String name;
    private final PacedStep step;
    private final OnFailure onFailure;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final Duration firstDelay;
    private final Duration stopTimeout;
    private final Runnable wake;
    private final Runnable whenDone;
    private final AtomicLong failuresInARow = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final ReentrantLock pauseLock = new ReentrantLock();
    private final Condition closing = pauseLock.newCondition();
    private volatile boolean running;
    private Thread thread;

    /** A loop that retries a failed step after a backoff doubling from {@code firstBackoff} to {@code maxBackoff}. */
    public BackgroundLoop(String name, Step step, Duration firstBackoff, Duration maxBackoff) {
        this(builder(name).step(step).retryWithBackoff(firstBackoff, maxBackoff));
    }

    private BackgroundLoop(Builder b) {
        if (b.step == null) {
            throw new IllegalArgumentException("background loop " + b.name + " has no step");
        }
        this.name = b.name;
        this.step = b.step;
        this.onFailure = b.onFailure;
        this.firstBackoff = b.firstBackoff;
        this.maxBackoff = b.maxBackoff;
        this.firstDelay = b.firstDelay;
        this.stopTimeout = b.stopTimeout;
        this.wake = b.wake;
        this.whenDone = b.whenDone;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The options of a loop; defaults: retry with a backoff from 100 ms to 5 s, no first delay, close waits 10 s. */
    public static final class Builder {
        private final String name;
        private PacedStep step;
        private OnFailure onFailure = OnFailure.RETRY_WITH_BACKOFF;
        private Duration firstBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(5);
        private Duration firstDelay = Duration.ZERO;
        private Duration stopTimeout = Duration.ofSeconds(10);
        private Runnable wake;
        private Runnable whenDone;

        private Builder(String name) {
            this.name = name;
        }

        /** A step run again at once after it returns (it waits for work itself). */
        public Builder step(Step s) {
            this.step = () -> {
                s.run();
                return Duration.ZERO;
            };
            return this;
        }

        /** A step followed by the pause it answers. */
        public Builder pacedStep(PacedStep s) {
            this.step = s;
            return this;
        }

        /** Every {@code every}: the step, then a pause of {@code every} (fixed delay; never two passes at once). */
        public Builder every(Duration every, Step s) {
            this.step = () -> {
                s.run();
                return every;
            };
            return this;
        }

        public Builder retryWithBackoff(Duration first, Duration max) {
            this.onFailure = OnFailure.RETRY_WITH_BACKOFF;
            this.firstBackoff = first;
            this.maxBackoff = max;
            return this;
        }

        public Builder stopOnFailure() {
            this.onFailure = OnFailure.STOP;
            return this;
        }

        /** A wait before the first step (e.g. to let the application finish starting). */
        public Builder firstDelay(Duration delay) {
            this.firstDelay = delay;
            return this;
        }

        /** How long {@link #close()} waits for the running step to return. */
        public Builder stopTimeout(Duration timeout) {
            this.stopTimeout = timeout;
            return this;
        }

        /** What close calls to make a blocked step return, instead of interrupting the loop's thread. */
        public Builder wakeWith(Runnable wakeUp) {
            this.wake = wakeUp;
            return this;
        }

        /** Run on the loop's thread when it ends (closed or stopped): releases what the steps used. */
        public Builder whenDone(Runnable done) {
            this.whenDone = done;
            return this;
        }

        public BackgroundLoop build() {
            return new BackgroundLoop(this);
        }
    }

    public synchronized BackgroundLoop start() {
        if (running) {
            return this;
        }
        running = true;
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** Stops the loop: wakes its step (interrupt, or the wake-up given) and waits for it to return (10 s unless set). */
    @Override
    public synchronized void close() {
        running = false;
        signalClosing();
        if (thread != null) {
            if (wake != null) {
                wake.run();
            } else {
                thread.interrupt();
            }
            try {
                thread.join(stopTimeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
    }

    public String name() {
        return name;
    }

    /** Started, not closed or stopped, and its last step did not fail. */
    public boolean isHealthy() {
        return running && failuresInARow.get() == 0;
    }

    /** Steps that failed since start. */
    public long failures() {
        return failures.get();
    }

    /** The loop's readiness, named after it, with its failure counts as data. */
    public HealthCheckResponse health() {
        return HealthCheckResponse.named(name)
                .status(isHealthy())
                .withData("failuresInARow", failuresInARow.get())
                .withData("failures", failures.get())
                .build();
    }

    /** The wait after the n-th failure in a row (n >= 1): firstBackoff doubled n-1 times, at most maxBackoff. */
    public Duration backoff(long n) {
        long max = maxBackoff.toMillis();
        long millis = firstBackoff.toMillis();
        for (long i = 1; i < n && millis < max; i++) {
            millis *= 2;
        }
        return Duration.ofMillis(Math.min(millis, max));
    }

    private void loop() {
        try {
            if (!pause(firstDelay)) {
                return;
            }
            while (running && !Thread.currentThread().isInterrupted()) {
                Duration next;
                try {
                    next = step.run();
                    failuresInARow.set(0);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception | AssertionError | LinkageError | StackOverflowError e) {
                    if (!running) {
                        return;
                    }
                    long n = failuresInARow.incrementAndGet();
                    failures.incrementAndGet();
                    if (onFailure == OnFailure.STOP) {
                        LOG.errorf(e, "%s: step failed, the loop stops", name);
                        running = false;
                        return;
                    }
                    next = backoff(n);
                    LOG.warnf("%s: step failed (%d in a row), again in %d ms: %s", name, n, next.toMillis(), e);
                }
                if (!pause(next)) {
                    return;
                }
            }
        } finally {
            if (whenDone != null) {
                try {
                    whenDone.run();
                } catch (RuntimeException e) {
                    LOG.warnf("%s: releasing its resources failed: %s", name, e.toString());
                }
            }
        }
    }

    /** Waits {@code wait}, or less when the loop is closed; false when the loop should end. */
    private boolean pause(Duration wait) {
        if (wait == null || wait.isZero() || wait.isNegative()) {
            return running;
        }
        long remaining = wait.toNanos();
        pauseLock.lock();
        try {
            while (running && remaining > 0) {
                remaining = closing.awaitNanos(remaining);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            pauseLock.unlock();
        }
        return running;
    }

    private void signalClosing() {
        pauseLock.lock();
        try {
            closing.signalAll();
        } finally {
            pauseLock.unlock();
        }
    }
}
