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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * PostgreSQL LISTEN/NOTIFY: the database triggers notify {@code conveyor_task_queued} (payload = task type) when a task
 * becomes queued and {@code conveyor_outbox} when events are written. Every replica listens, so a long-polling claim
 * wakes as soon as a matching task is queued anywhere, and the outbox relay runs right after a commit.
 */
@ApplicationScoped
public class PgSignals {
    private static final Logger LOG = Logger.getLogger(PgSignals.class);
    public static final String TASK_QUEUED = "conveyor_task_queued";
    public static final String OUTBOX = "conveyor_outbox";

    private record Waiter(Set<String> types, UniEmitter<? super Boolean> emitter) {}

    private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
    private final Set<Runnable> outboxListeners = ConcurrentHashMap.newKeySet();
    /** Counts task-queued notifications per task type, so a claim can tell whether one of its types arrived while it was querying. */
    private final Map<String, AtomicLong> queuedSignals = new ConcurrentHashMap<>();

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

    private void taskQueued(String taskType) {
        queuedSignals.computeIfAbsent(taskType, t -> new AtomicLong()).incrementAndGet();
        for (Waiter w : waiters) {
            if (w.types().contains(taskType)) {
                w.emitter().complete(true);
            }
        }
    }

    public void onOutbox(Runnable listener) {
        outboxListeners.add(listener);
    }

    /** The number of task-queued notifications of these types so far; pass it to {@link #awaitQueued} after an empty claim. */
    public long queuedSignals(Set<String> types) {
        long n = 0;
        for (String t : types) {
            AtomicLong c = queuedSignals.get(t);
            n += c == null ? 0 : c.get();
        }
        return n;
    }

    /**
     * Completes with true when a task of one of these types is queued, or false after {@code max}. Completes at once
     * when a notification of one of these types arrived since {@code seen} ({@link #queuedSignals(Set)} of the same
     * types, taken before the claim query), so none falls into the gap between an empty claim and this wait; tasks of
     * other types never wake it.
     */
    public Uni<Boolean> awaitQueued(Set<String> types, Duration max, long seen) {
        return Uni.createFrom()
                .<Boolean>emitter(em -> {
                    Waiter w = new Waiter(types, em);
                    waiters.add(w);
                    em.onTermination(() -> waiters.remove(w));
                    if (queuedSignals(types) != seen) {
                        em.complete(true);
                    }
                })
                .ifNoItem()
                .after(max)
                .recoverWithItem(false);
    }

    /** Long-poll claims waiting for a queued task right now. */
    public int waiting() {
        return waiters.size();
    }
}
