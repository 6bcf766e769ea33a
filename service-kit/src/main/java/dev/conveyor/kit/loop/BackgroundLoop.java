package dev.conveyor.kit.loop;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.jboss.logging.Logger;

/**
 * One lifecycle for a service's background loops: a daemon thread named after the loop runs {@link Step} again and
 * again from {@link #start()} until {@link #close()}. A step that throws is logged and run again after a backoff that
 * doubles from {@code firstBackoff} up to {@code maxBackoff} and resets after a step that succeeds; the loop never dies
 * of a failure. {@link #health()} is a readiness answer named after the loop: down while it is not started, closed, or
 * has failed its last step.
 */
public final class BackgroundLoop implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BackgroundLoop.class);

    /** One pass of the loop; it may block (waiting for work) and must return when its thread is interrupted. */
    @FunctionalInterface
    public interface Step {
        void run() throws Exception;
    }

    private final String name;
    private final Step step;
    private final Duration firstBackoff;
    private final Duration maxBackoff;
    private final AtomicLong failuresInARow = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean running;
    private Thread thread;

    public BackgroundLoop(String name, Step step, Duration firstBackoff, Duration maxBackoff) {
        this.name = name;
        this.step = step;
        this.firstBackoff = firstBackoff;
        this.maxBackoff = maxBackoff;
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

    /** Stops the loop: interrupts its thread and waits up to 10 s for the running step to return. */
    @Override
    public synchronized void close() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
    }

    public String name() {
        return name;
    }

    /** Started, not closed, and its last step did not fail. */
    public boolean isHealthy() {
        return running && failuresInARow.get() == 0;
    }

    /** Steps that failed since start (each was followed by a backoff and another try). */
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
        while (running && !Thread.currentThread().isInterrupted()) {
            try {
                step.run();
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
                Duration wait = backoff(n);
                LOG.warnf("%s: step failed (%d in a row), again in %d ms: %s", name, n, wait.toMillis(), e.toString());
                try {
                    TimeUnit.MILLISECONDS.sleep(wait.toMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
