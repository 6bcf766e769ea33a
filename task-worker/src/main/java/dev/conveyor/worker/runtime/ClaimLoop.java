package dev.conveyor.worker.runtime;

import dev.conveyor.worker.client.TaskApiClient;
import dev.conveyor.worker.client.model.ClaimedTask;
import io.micrometer.core.instrument.Counter;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import org.jboss.logging.Logger;

/**
 * The dispatcher thread: runs the {@link Dispatcher}'s steps (waits on one monitor, claims through task-api) and hands
 * what it claimed to its {@link Sink}. Wake-ups, a finished task and shutdown all {@link #signal} the same monitor; a
 * wake-up only ends an IDLE wait, while LINGERING and SATURATED wait for a slot (else a pending wake-up would make the
 * loop spin until a slot frees). An idle worker claims by long-poll ({@link #longPolls}).
 */
final class ClaimLoop {
    private static final Logger LOG = Logger.getLogger(ClaimLoop.class);

    /** Where claimed tasks go: started, or (claimed while stopping) handed straight back. */
    interface Sink {
        void start(ClaimedTask task);

        void handBack(ClaimedTask task, String why);
    }

    /** Who claims and what it can run: sent with every claim. */
    record Claimant(String workerId, List<String> capabilities, List<String> taskTypes) {}

    private final Dispatcher dispatcher;
    private final IntSupplier running;
    private final IntSupplier handlersRunning;
    private final boolean kafkaWakeups;
    private final boolean idleLongPoll;
    private final Object signal = new Object();
    private final AtomicInteger claimRequests = new AtomicInteger();
    private final WakeupDemand demand = new WakeupDemand();
    private volatile boolean wakePending;
    private volatile boolean stopping;
    private volatile BooleanSupplier wakeupsHealthy = () -> false;

    ClaimLoop(
            Dispatcher dispatcher,
            IntSupplier running,
            IntSupplier handlersRunning,
            boolean kafkaWakeups,
            boolean idleLongPoll) {
        this.dispatcher = dispatcher;
        this.running = running;
        this.handlersRunning = handlersRunning;
        this.kafkaWakeups = kafkaWakeups;
        this.idleLongPoll = idleLongPoll;
    }

    /**
     * Whether the next claim long-polls: always without healthy Kafka wake-ups; with them, while idle (no handler runs)
     * when {@code idle-long-poll} is on. Task-api answers an open long-poll from PostgreSQL NOTIFY the moment a matching
     * task is queued (no relay, no Kafka hop) and wakes one waiting worker per task, not all of them; wake-ups that
     * arrive while it is open are covered by it. A busy worker claims on Kafka wake-ups, in batches.
     */
    static boolean longPolls(boolean kafkaWakeups, boolean wakeupsHealthy, boolean idleLongPoll, int handlersRunning) {
        return !kafkaWakeups || !wakeupsHealthy || (idleLongPoll && handlersRunning == 0);
    }

    /** The loop's body, for the dispatcher thread; returns once stopping (or interrupted). */
    void run(TaskApiClient client, Claimant who, Sink sink, Counter claims, Counter claimedTasks) {
        while (!Thread.currentThread().isInterrupted()) {
            boolean longPoll =
                    longPolls(kafkaWakeups, wakeupsHealthy.getAsBoolean(), idleLongPoll, handlersRunning.getAsInt());
            int busy = running.getAsInt();
            Dispatcher.Step step =
                    dispatcher.next(new Dispatcher.Inputs(System.nanoTime(), busy, wakePending, longPoll, stopping));
            demand.set(step.state() == Dispatcher.State.STOPPING || dispatcher.wakeupsMatter(busy));
            switch (step.state()) {
                case STOPPING:
                    return;
                case SATURATED:
                case LINGERING:
                    awaitSlot(step.waitNanos());
                    continue;
                case IDLE:
                    await(TimeUnit.NANOSECONDS.toMillis(step.waitNanos()));
                    continue;
                case CLAIMING:
                default:
                    break;
            }
            wakePending = false;
            List<ClaimedTask> claimed;
            try {
                claimRequests.incrementAndGet();
                claims.increment();
                claimed = client.claim(
                        who.workerId(), who.capabilities(), who.taskTypes(), step.max(), step.waitSeconds());
                dispatcher.claimed(System.nanoTime(), claimed.size(), step.max());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException | RuntimeException e) {
                long backoff = dispatcher.claimFailed(System.nanoTime());
                int errors = dispatcher.errors();
                if (errors == 1 || errors % 20 == 0) {
                    LOG.warnf("claim failed (%d in a row), retrying in %d ms: %s", errors, backoff, e.toString());
                }
                backOff(backoff);
                continue;
            }
            claimedTasks.increment(claimed.size());
            for (ClaimedTask task : claimed) {
                if (stopping) {
                    // Claimed while shutting down: hand it straight back (no attempt used).
                    sink.handBack(task, "worker shutting down");
                } else {
                    sink.start(task);
                }
            }
        }
    }

    int claimRequests() {
        return claimRequests.get();
    }

    WakeupDemand demand() {
        return demand;
    }

    void wakeupSource(BooleanSupplier healthy) {
        this.wakeupsHealthy = healthy;
        signal();
    }

    void wake() {
        wakePending = true;
        signal();
    }

    void stop() {
        stopping = true;
        signal();
    }

    boolean stopping() {
        return stopping;
    }

    /** Something the loop waits for changed: a wake-up, a health change, a finished task, shutdown. */
    void signal() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    /** Waits for the next signal, at most {@code millis} (shutdown waits this way for running tasks to finish). */
    void awaitSignal(long millis) throws InterruptedException {
        synchronized (signal) {
            signal.wait(millis);
        }
    }

    /** IDLE: a pending wake-up or shutdown ends the wait at once. */
    private void await(long millis) {
        if (millis <= 0) {
            return;
        }
        synchronized (signal) {
            if (wakePending || stopping) {
                return;
            }
            try {
                signal.wait(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** SATURATED / LINGERING: waits until a task finishes (or stopping), at most {@code nanos}; a pending wake-up does not end it. */
    private void awaitSlot(long nanos) {
        synchronized (signal) {
            if (stopping) {
                return;
            }
            try {
                signal.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(nanos)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** After a failed claim: waits {@code millis} on the monitor; only shutdown ends it early (wake-ups and finished tasks do not). */
    private void backOff(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (signal) {
            long left;
            while (!stopping && (left = deadline - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(signal, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
