package dev.conveyor.worker.runtime;

import dev.conveyor.worker.client.TaskApiClient;
import dev.conveyor.worker.config.WorkerConfig;
import dev.conveyor.worker.domain.ClaimedTask;
import dev.conveyor.worker.output.OutputStore;
import dev.conveyor.worker.sdk.TaskHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The worker's claim loop. One dispatcher thread claims while slots are free: at once on a wake-up (a task-events
 * record of a task type it runs), when the last claim was full (a backlog), and every poll interval as a safety net.
 * While the wake-up source is unhealthy (Kafka down, or wake-ups off) it long-polls instead, so it keeps working.
 * Handlers run on their own threads; heartbeats and reports are asynchronous.
 */
@ApplicationScoped
public class WorkerRuntime implements RunningTask.Listener {
    private static final Logger LOG = Logger.getLogger(WorkerRuntime.class);

    private final WorkerConfig config;
    private final HandlerRegistry handlers;
    private final OutputStore outputs;
    private final MeterRegistry meters;
    private final String workerId;
    private final String taskApiUrl;
    private final String token;

    private final Map<UUID, RunningTask> running = new ConcurrentHashMap<>();
    private final Object signal = new Object();
    private final List<Consumer<UUID>> startListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean wakePending;
    private volatile boolean stopping;
    private volatile BooleanSupplier wakeupsHealthy = () -> false;
    private final AtomicInteger claimRequests = new AtomicInteger();

    private Counter claims;
    private Counter claimedTasks;
    private TaskApiClient client;
    private CompletionBatcher batcher;
    private RunningTask.Completer completer;
    private ExecutorService handlerPool;
    private ExecutorService httpPool;
    private ScheduledExecutorService timer;
    private Thread dispatcher;

    public WorkerRuntime(WorkerConfig config, HandlerRegistry handlers, OutputStore outputs, MeterRegistry meters,
                         @ConfigProperty(name = "task-api.url") String taskApiUrl,
                         @ConfigProperty(name = "task-api.token") Optional<String> token) {
        this.config = config;
        this.handlers = handlers;
        this.outputs = outputs;
        this.meters = meters;
        this.taskApiUrl = taskApiUrl;
        this.token = token.orElse("");
        this.workerId = config.id().orElse("worker-" + UUID.randomUUID().toString().substring(0, 8));
        meters.gauge("conveyor.worker.running", running, Map::size);
    }

    void onStart(@Observes StartupEvent event) {
        System.setProperty("java.awt.headless", "true");
        if (!config.enabled()) {
            LOG.info("worker runtime disabled (conveyor.worker.enabled=false)");
            return;
        }
        if (token.isBlank()) {
            throw new IllegalStateException("task-api.token (env WORKER_TOKEN) is required: a JWT with role worker");
        }
        handlerPool = Executors.newCachedThreadPool(named("handler"));
        httpPool = Executors.newFixedThreadPool(2, named("task-api-http"));
        timer = Executors.newScheduledThreadPool(1, named("worker-timer"));
        client = new TaskApiClient(taskApiUrl, token, httpPool);
        DistributionSummary batchSizes = DistributionSummary.builder("conveyor.worker.complete.batch.size")
                .description("completions per batch complete request").register(meters);
        claims = meters.counter("conveyor.worker.claim.requests");
        claimedTasks = meters.counter("conveyor.worker.claimed.tasks");
        batcher = new CompletionBatcher(client, workerId, batchSizes::record);
        completer = config.completeBatch() ? batcher::complete
                : (id, lease, output, metadata) -> client.complete(id, workerId, lease, output, metadata);
        dispatcher = named("worker-dispatcher").newThread(this::dispatchLoop);
        dispatcher.start();
        LOG.infof("worker %s runs %s with capabilities %s, %d slots, batch %d, batch complete %s, against %s", workerId,
                handlers.taskTypes(), handlers.capabilities(), config.slots(), config.batch(), config.completeBatch(), taskApiUrl);
    }

    void onStop(@Observes ShutdownEvent event) {
        shutdown();
    }

    public String workerId() {
        return workerId;
    }

    public List<String> taskTypes() {
        return handlers.taskTypes();
    }

    public boolean runs(String taskType) {
        return handlers.runs(taskType);
    }

    public int runningCount() {
        return running.size();
    }

    /** How many claim requests this worker sent (for tests and metrics). */
    public int claimRequests() {
        return claimRequests.get();
    }

    /** How many batch complete requests this worker sent (0 with {@code conveyor.worker.complete-batch=false}). */
    public int completeBatchRequests() {
        return batcher == null ? 0 : batcher.requests();
    }

    /** Called for every task a handler is about to start (for benchmarks and tests). */
    public void onTaskStart(Consumer<UUID> listener) {
        startListeners.add(listener);
    }

    /** Where wake-ups come from and whether that source currently works (decides between wake-ups and long-polls). */
    public void wakeupSource(BooleanSupplier healthy) {
        this.wakeupsHealthy = healthy;
        signal();
    }

    /** The wake-up source's health changed: re-decide between wake-ups and long-polls now. */
    public void wakeupSourceChanged() {
        signal();
    }

    /** A matching task was queued: claim now. */
    public void wake() {
        wakePending = true;
        signal();
    }

    private void signal() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

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

    /**
     * Whether the next claim waits (up to claim-linger): a busy worker does when few slots are free (more will be soon)
     * or when only wake-ups call for it (every worker hears every created task: claiming on each would send one claim
     * per task per worker). An idle worker never does, so dispatch latency on an idle worker stays as it is.
     */
    static boolean lingers(int running, int free, int fullBatch, boolean onlyWoken) {
        return running > 0 && (free < (fullBatch + 1) / 2 || onlyWoken);
    }

    /** Waits until a task finishes (or stopping), at most {@code nanos}; unlike {@link #await} a pending wake-up does not end it. */
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

    private boolean longPollMode() {
        return !config.kafkaWakeups() || !wakeupsHealthy.getAsBoolean();
    }

    private void dispatchLoop() {
        long lastClaim = 0;
        boolean backlog = false;
        int errors = 0;
        long pollNanos = config.pollInterval().toNanos();
        long lingerNanos = config.claimLinger().toNanos();
        long lingerUntil = 0;
        while (!stopping && !Thread.currentThread().isInterrupted()) {
            int free = config.slots() - running.size();
            if (free <= 0) {
                // Not await(): with a wake-up pending it returns at once, and the loop would spin until a slot frees.
                awaitSlot(TimeUnit.SECONDS.toNanos(1));
                continue;
            }
            boolean longPoll = longPollMode();
            long sinceLast = System.nanoTime() - lastClaim;
            boolean due = wakePending || backlog || longPoll || lastClaim == 0 || sinceLast >= pollNanos;
            if (!due) {
                // Re-checked at least every second: a wake-up source that turned unhealthy switches to long-polls.
                await(Math.min(1000, TimeUnit.NANOSECONDS.toMillis(pollNanos - sinceLast) + 1));
                continue;
            }
            boolean onlyWoken = wakePending && !backlog && !longPoll && lastClaim != 0 && sinceLast < pollNanos;
            if (lingerNanos > 0 && lingers(running.size(), free, Math.min(config.batch(), config.slots()), onlyWoken)) {
                if (lingerUntil == 0) {
                    lingerUntil = System.nanoTime() + lingerNanos;
                }
                long left = lingerUntil - System.nanoTime();
                if (left > 0) {
                    awaitSlot(left);
                    continue;
                }
            }
            lingerUntil = 0;
            wakePending = false;
            int max = Math.min(free, config.batch());
            int wait = longPoll ? (int) Math.min(30, Math.max(0, config.longPoll().toSeconds())) : 0;
            List<ClaimedTask> claimed;
            try {
                claimRequests.incrementAndGet();
                claims.increment();
                claimed = client.claim(workerId, handlers.capabilities(), handlers.taskTypes(), max, wait);
                lastClaim = System.nanoTime();
                errors = 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (IOException | RuntimeException e) {
                errors++;
                lastClaim = System.nanoTime();
                long backoff = Math.min(5000, 100L << Math.min(errors, 6));
                if (errors == 1 || errors % 20 == 0) {
                    LOG.warnf("claim failed (%d in a row), retrying in %d ms: %s", errors, backoff, e.toString());
                }
                sleepQuietly(backoff);
                continue;
            }
            claimedTasks.increment(claimed.size());
            backlog = claimed.size() >= max;
            for (ClaimedTask task : claimed) {
                if (stopping) {
                    // Claimed while shutting down: hand it straight back (no attempt used).
                    handBack(task, "worker shutting down");
                } else {
                    start(task);
                }
            }
        }
    }

    private void start(ClaimedTask task) {
        Optional<TaskHandler> handler = handlers.handler(task.taskType());
        if (handler.isEmpty()) {
            // Cannot happen with a task-api that honours the claim's taskTypes (the handlers' types); kept as a safety net.
            LOG.errorf("claimed task %s of type %s that no handler runs; handing it back", task.id(), task.taskType());
            handBack(task, "no handler for " + task.taskType());
            return;
        }
        RunningTask rt = new RunningTask(task, handler.get(), client, completer, workerId, outputs, timer, handlerPool,
                config.progressInterval(), this);
        running.put(task.id(), rt);
        rt.start();
    }

    /** Releases a claimed task this worker will not run: queued again at once, its attempt given back. */
    private void handBack(ClaimedTask task, String why) {
        client.release(task.id(), workerId, task.leaseToken()).whenComplete((ok, error) -> {
            if (error != null) {
                LOG.warnf("could not hand task %s back (%s): %s; it runs again when its lease expires", task.id(), why,
                        RunningTask.unwrap(error).toString());
            }
        });
    }

    @Override
    public void started(RunningTask task) {
        for (Consumer<UUID> l : startListeners) {
            l.accept(task.taskId());
        }
    }

    @Override
    public void finished(RunningTask task, RunningTask.Outcome outcome) {
        running.remove(task.taskId(), task);
        meters.counter("conveyor.worker.tasks", "type", task.taskType(), "outcome", outcome.name().toLowerCase()).increment();
        signal();
    }

    /** Stops claiming, lets running tasks finish within the grace period, then releases the rest (attempts not counted). */
    void shutdown() {
        if (dispatcher == null || stopping) {
            return;
        }
        stopping = true;
        signal();
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        while (!running.isEmpty() && System.nanoTime() < deadline) {
            synchronized (signal) {
                try {
                    signal.wait(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        List<CompletableFuture<Void>> releases = new ArrayList<>();
        for (RunningTask rt : running.values()) {
            LOG.infof("shutdown grace over: releasing task %s", rt.taskId());
            releases.add(rt.release("worker " + workerId + " shutting down"));
        }
        try {
            CompletableFuture.allOf(releases.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("not every running task could be handed back: %s", e.toString());
        }
        try {
            // A claim in flight may still bring tasks: the dispatcher hands those back itself.
            dispatcher.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        handlerPool.shutdownNow();
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Shows the config in tests and logs. */
    public Duration pollInterval() {
        return config.pollInterval();
    }
}
