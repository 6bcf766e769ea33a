package dev.conveyor.taskapi.messaging;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.pubsub.PgSubscriber;
import io.vertx.pgclient.PgConnectOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * PostgreSQL LISTEN/NOTIFY: the database triggers notify {@code conveyor_task_queued} once per transaction and task
 * type it queued (payload = the type; a payload of several types, one per line, or {@code *} = any type, is read too,
 * as an operator's manual NOTIFY may send it) and {@code conveyor_outbox}
 * when events are written. Every replica listens, so a long-polling claim wakes as soon as a matching task is queued
 * anywhere, and the outbox relay runs right after a commit.
 *
 * <p><b>One wake-up reaches one claim.</b> A notification does not wake every waiting claim of its types (N idle workers
 * would send N claim queries for one task, all but one finding nothing): it wakes the longest-waiting claim of each type
 * it names, at most one claim per type (a claim that takes several of the named types covers them all). A woken claim
 * that comes back full (there may be more) passes the wake-up on to the next waiting claim ({@link #passOn}); so a
 * burst is drained by as many claims as it needs, one after another, and a single task by one. Every replica hears
 * every notification, so with R replicas a task wakes at most R claims.
 *
 * <p>A notification that found no waiting claim for one of its types is counted ({@link #queuedSignals}), so a claim
 * that was querying meanwhile (between its empty claim and its wait) sees it and claims again at once.
 */
@ApplicationScoped
public class PgSignals {
    private static final Logger LOG = Logger.getLogger(PgSignals.class);
    public static final String TASK_QUEUED = "conveyor_task_queued";
    public static final String OUTBOX = "conveyor_outbox";
    /** The payload that names every type (the trigger sends it when the list of types would be too long). */
    static final String ANY_TYPE = "*";

    private static final class Waiter {
        final Set<String> types;
        final UniEmitter<? super Boolean> emitter;

        Waiter(Set<String> types, UniEmitter<? super Boolean> emitter) {
            this.types = types;
            this.emitter = emitter;
        }
    }

    /** Waiting claims, longest waiting first; guarded by {@code this}. */
    private final Set<Waiter> waiters = new LinkedHashSet<>();

    private final Set<Runnable> outboxListeners = ConcurrentHashMap.newKeySet();
    /** Per task type: notifications that found no waiting claim of that type; guarded by {@code this}. */
    private final Map<String, Long> unanswered = new HashMap<>();
    /** {@code *} notifications that found no waiting claim at all; guarded by {@code this}. */
    private long unansweredAny;

    private final AtomicLong wokenClaims = new AtomicLong();

    private final Vertx vertx;
    private final String url;
    private final String user;
    private final String password;
    private PgSubscriber subscriber;

    public PgSignals(
            Vertx vertx,
            @ConfigProperty(name = "quarkus.datasource.reactive.url") String url,
            @ConfigProperty(name = "quarkus.datasource.username") String user,
            @ConfigProperty(name = "quarkus.datasource.password") String password) {
        this.vertx = vertx;
        this.url = url;
        this.user = user;
        this.password = password;
    }

    void start(@Observes StartupEvent ev) {
        PgConnectOptions options = PgConnectOptions.fromUri(url.replaceFirst("^vertx-reactive:", ""))
                .setUser(user)
                .setPassword(password);
        subscriber = PgSubscriber.subscriber(vertx, options);
        subscriber.reconnectPolicy(retries -> 500L);
        subscriber.channel(TASK_QUEUED).handler(this::taskQueued);
        subscriber.channel(OUTBOX).handler(payload -> outboxListeners.forEach(Runnable::run));
        subscriber
                .connect()
                .subscribe()
                .with(
                        ok -> LOG.debug("listening for task and outbox notifications"),
                        e -> LOG.warnf("LISTEN connection failed (claims fall back to polling): %s", e.getMessage()));
    }

    void stop(@Observes ShutdownEvent ev) {
        if (subscriber != null) {
            subscriber.closeAndAwait();
        }
    }

    private void taskQueued(String payload) {
        Set<String> types = payload == null || payload.isEmpty() ? Set.of() : Set.of(payload.split("\n"));
        wake(types, ANY_TYPE.equals(payload), true);
    }

    /**
     * A claim woken by a notification, or that claimed without waiting, came back full: more tasks of these types may be
     * queued, so the next waiting claim of each type looks (nothing is counted when none waits: the full claim's worker
     * claims again itself).
     */
    public void passOn(Set<String> types) {
        wake(types, false, false);
    }

    /**
     * Wakes the longest-waiting claim of each type in {@code types} (every waiting claim when {@code any}); with
     * {@code count}, a type no claim waits for is counted as unanswered. Emitters complete outside the lock: a woken
     * claim goes on to query at once on this thread.
     */
    private void wake(Set<String> types, boolean any, boolean count) {
        List<Waiter> woken = new ArrayList<>();
        synchronized (this) {
            if (any) {
                woken.addAll(waiters);
                waiters.clear();
                if (woken.isEmpty() && count) {
                    unansweredAny++;
                }
            } else {
                Set<String> uncovered = new HashSet<>(types);
                for (Iterator<Waiter> it = waiters.iterator(); it.hasNext() && !uncovered.isEmpty(); ) {
                    Waiter w = it.next();
                    if (uncovered.removeAll(w.types)) {
                        it.remove();
                        woken.add(w);
                    }
                }
                if (count) {
                    uncovered.forEach(t -> unanswered.merge(t, 1L, Long::sum));
                }
            }
        }
        wokenClaims.addAndGet(woken.size());
        woken.forEach(w -> w.emitter.complete(true));
    }

    public void onOutbox(Runnable listener) {
        outboxListeners.add(listener);
    }

    /**
     * How many task-queued notifications of these types found no waiting claim to wake (so far); take it before a
     * claim's query and pass it to {@link #awaitQueued} after an empty answer.
     */
    public synchronized long queuedSignals(Set<String> types) {
        long n = unansweredAny;
        for (String t : types) {
            n += unanswered.getOrDefault(t, 0L);
        }
        return n;
    }

    /**
     * Completes with true when this claim is woken for one of these types (a notification, or a full claim passing it
     * on), or false after {@code max}. Completes at once when a notification of one of these types found no waiting
     * claim since {@code seen} ({@link #queuedSignals(Set)} of the same types, taken before the claim query), so none
     * falls into the gap between an empty claim and this wait; tasks of other types never wake it.
     */
    public Uni<Boolean> awaitQueued(Set<String> types, Duration max, long seen) {
        return Uni.createFrom()
                .<Boolean>emitter(em -> {
                    Waiter w = new Waiter(types, em);
                    em.onTermination(() -> forget(w));
                    boolean missed;
                    synchronized (this) {
                        missed = queuedSignals(types) != seen;
                        if (!missed) {
                            waiters.add(w);
                        }
                    }
                    // A claim cancelled (worker hung up) between the two statements above stays listed until a
                    // notification picks it: that one wake-up is lost, and the others' re-check finds the task.
                    if (missed) {
                        em.complete(true);
                    }
                })
                .ifNoItem()
                .after(max)
                .recoverWithItem(false);
    }

    private synchronized void forget(Waiter w) {
        waiters.remove(w);
    }

    /** Waiting claims woken by a notification or passed a wake-up, so far (one per type a notification names). */
    public long wokenClaims() {
        return wokenClaims.get();
    }

    /** Long-poll claims waiting for a queued task right now. */
    public synchronized int waiting() {
        return waiters.size();
    }
}
