package dev.conveyor.worker.runtime;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The claim loop's decisions as a small state machine, pure (no threads, no clock of its own, no I/O) so its rules are
 * tested directly ({@code DispatcherTest}, {@code ClaimLingerTest}). {@link ClaimLoop} runs it: it asks {@link #next}
 * what to do, does it (waits or claims), and reports a claim's result back.
 *
 * <p>States, checked in this order on every step:
 * <pre>
 * state       when                                                   the loop then
 * STOPPING    shutdown began                                         exits (a claim in flight still hands its tasks back)
 * SATURATED   no slot free                                           waits up to 1 s for a task to finish (not ended by a wake-up)
 * IDLE        nothing calls for a claim: no wake-up pending, no      waits for a wake-up, a health change or the poll interval
 *             backlog, wake-ups healthy, poll interval not over      (at most 1 s, so a wake-up source that turned unhealthy is seen)
 * LINGERING   a claim is due but the worker is busy and few slots    waits for a task to finish until claim-linger (counted from
 *             are free, or only wake-ups call for it ({@link #lingers})  the first lingering step) is over; then CLAIMING
 * CLAIMING    a claim is due: a wake-up, a backlog (the last claim   claims min(free, batch) tasks; long-polls (waitSeconds =
 *             was full), long-poll mode, the first claim, or the     long-poll, at most 30) while wake-ups are off or unhealthy
 *             poll interval is over
 * </pre>
 * Events: {@link #claimed} (a claim answered: a full answer means a backlog, so the next step claims again at once) and
 * {@link #claimFailed} (answers the back-off before the next try: 200 ms doubling, at most 5 s). Why linger: every
 * worker hears every created task, so claiming on each wake-up would send one claim per task per busy worker.
 */
final class Dispatcher {
    enum State {
        IDLE,
        CLAIMING,
        LINGERING,
        SATURATED,
        STOPPING
    }

    /** What to do next: wait {@code waitNanos} (IDLE, LINGERING, SATURATED), or claim {@code max} tasks long-polling {@code waitSeconds}. */
    record Step(State state, long waitNanos, int max, int waitSeconds) {
        static Step waiting(State state, long nanos) {
            return new Step(state, nanos, 0, 0);
        }
    }

    /** What the loop sees when it asks: how many tasks run, whether a wake-up is pending, whether to long-poll, whether stopping. */
    record Inputs(long now, int running, boolean wakePending, boolean longPoll, boolean stopping) {}

    static final long SATURATED_WAIT = TimeUnit.SECONDS.toNanos(1);
    static final long MAX_IDLE_WAIT_MILLIS = 1000;
    static final long MAX_BACKOFF_MILLIS = 5000;

    private final int slots;
    private final int batch;
    private final long pollNanos;
    private final long lingerNanos;
    private final int longPollSeconds;

    private boolean claimedBefore;
    private long lastClaim;
    private boolean backlog;
    private int errors;
    private long lingerUntil;

    Dispatcher(int slots, int batch, Duration pollInterval, Duration claimLinger, Duration longPoll) {
        this.slots = slots;
        this.batch = batch;
        this.pollNanos = pollInterval.toNanos();
        this.lingerNanos = claimLinger.toNanos();
        this.longPollSeconds = (int) Math.min(30, Math.max(0, longPoll.toSeconds()));
    }

    /**
     * Whether the next claim waits (up to claim-linger): a busy worker does when few slots are free (more will be soon)
     * or when only wake-ups call for it (every worker hears every created task: claiming on each would send one claim
     * per task per worker). An idle worker never does, so dispatch latency on an idle worker stays as it is.
     */
    static boolean lingers(int running, int free, int fullBatch, boolean onlyWoken) {
        return running > 0 && (free < (fullBatch + 1) / 2 || onlyWoken);
    }

    Step next(Inputs in) {
        if (in.stopping()) {
            return Step.waiting(State.STOPPING, 0);
        }
        int free = slots - in.running();
        if (free <= 0) {
            return Step.waiting(State.SATURATED, SATURATED_WAIT);
        }
        long sinceLast = in.now() - lastClaim;
        boolean pollDue = !claimedBefore || sinceLast >= pollNanos;
        if (!in.wakePending() && !backlog && !in.longPoll() && !pollDue) {
            long millis = Math.min(MAX_IDLE_WAIT_MILLIS, TimeUnit.NANOSECONDS.toMillis(pollNanos - sinceLast) + 1);
            return Step.waiting(State.IDLE, TimeUnit.MILLISECONDS.toNanos(millis));
        }
        boolean onlyWoken = in.wakePending() && !backlog && !in.longPoll() && !pollDue;
        if (lingerNanos > 0 && lingers(in.running(), free, Math.min(batch, slots), onlyWoken)) {
            if (lingerUntil == 0) {
                lingerUntil = in.now() + lingerNanos;
            }
            long left = lingerUntil - in.now();
            if (left > 0) {
                return Step.waiting(State.LINGERING, left);
            }
        }
        lingerUntil = 0;
        return new Step(State.CLAIMING, 0, Math.min(free, batch), in.longPoll() ? longPollSeconds : 0);
    }

    /**
     * Whether a wake-up can change what the loop does next. Not while the last claim was full (the next step claims
     * again anyway) nor while no slot is free (the first slot to free is claimed for, see {@link WakeupDemand}): then the
     * wake-up consumer reads nothing, and when wake-ups matter again the loop is woken once instead.
     */
    boolean wakeupsMatter(int running) {
        return !backlog && running < slots;
    }

    /** A claim answered {@code count} tasks: a full answer means more are queued, so the next step claims again. */
    void claimed(long now, int count, int max) {
        claimedBefore = true;
        lastClaim = now;
        errors = 0;
        backlog = count >= max;
    }

    /** A claim failed: answers how long to back off before the next step (200 ms doubling, at most 5 s). */
    long claimFailed(long now) {
        claimedBefore = true;
        lastClaim = now;
        errors++;
        return Math.min(MAX_BACKOFF_MILLIS, 100L << Math.min(errors, 6));
    }

    /** Failed claims in a row (for the log: the first and every 20th is reported). */
    int errors() {
        return errors;
    }
}
