package dev.conveyor.worker.runtime;

import dev.conveyor.worker.client.TaskApiClient;
import dev.conveyor.worker.client.model.ClaimedTask;
import dev.conveyor.worker.config.WorkerConfig;
import dev.conveyor.worker.output.OutputStore;
import dev.conveyor.worker.sdk.TaskHandler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The worker runtime's lifecycle and slots: on start it builds the task-api client, the pools and the completion
 * batcher and starts the dispatcher thread ({@link ClaimLoop} running the {@link Dispatcher} state machine); it keeps
 * the running tasks (a slot each) and starts or hands back what the loop claims; on shutdown it stops claiming, lets
 * running tasks finish within the grace period and releases the rest.
 *
 * <p>Threads: handlers, and everything that follows a task-api answer (a handler's next step, a heartbeat's or a
 * report's consequences), run on the worker pool ({@code worker-N}, grows with the running tasks); the
 * {@code task-api-http} threads (one per call in flight) only carry HTTP; {@code worker-timer} only starts heartbeats and retries; the
 * dispatcher thread claims.
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
    private final Map<String, Map<RunningTask.Outcome, Counter>> taskCounters = new ConcurrentHashMap<>();
    private final List<Consumer<UUID>> startListeners = new CopyOnWriteArrayList<>();
    private final ClaimLoop loop;

    private TaskApiClient client;
    private CompletionBatcher batcher;
    private AttemptServices attempts;
    private ExecutorService workerPool;
    private ExecutorService httpPool;
    private ScheduledExecutorService timer;
    private Thread dispatcher;

    public WorkerRuntime(
            WorkerConfig config,
            HandlerRegistry handlers,
            OutputStore outputs,
            MeterRegistry meters,
            @ConfigProperty(name = "task-api.url") String taskApiUrl,
            @ConfigProperty(name = "task-api.token") Optional<String> token) {
        this.config = config;
        this.handlers = handlers;
        this.outputs = outputs;
        this.meters = meters;
        this.taskApiUrl = taskApiUrl;
        this.token = token.orElse("");
        this.workerId =
                config.id().orElse("worker-" + UUID.randomUUID().toString().substring(0, 8));
        meters.gauge("conveyor.worker.running", running, Map::size);
        Dispatcher rules = new Dispatcher(
                config.slots(), config.batch(), config.pollInterval(), config.claimLinger(), config.longPoll());
        this.loop = new ClaimLoop(
                rules, running::size, this::handlersRunning, config.kafkaWakeups(), config.idleLongPoll());
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
        workerPool = Executors.newCachedThreadPool(named("worker"));
        // Each call to task-api holds one of these threads until it is answered (TaskApiClient: blocking HTTP/1.1, no
        // hand-offs); nothing that follows an answer runs on them (AttemptServices). Idle threads end after a minute.
        httpPool = Executors.newCachedThreadPool(named("task-api-http"));
        // Every attempt cancels its heartbeat when it ends; without remove-on-cancel the cancelled beat stays queued
        // until its delay (a third of the lease, up to 10 min) passes: thousands of dead timers under load (the soak).
        ScheduledThreadPoolExecutor beats = new ScheduledThreadPoolExecutor(1, named("worker-timer"));
        beats.setRemoveOnCancelPolicy(true);
        timer = beats;
        client = new TaskApiClient(taskApiUrl, token, httpPool);
        DistributionSummary batchSizes = DistributionSummary.builder("conveyor.worker.complete.batch.size")
                .description("completions per batch complete request")
                .register(meters);
        Counter claims = meters.counter("conveyor.worker.claim.requests");
        Counter claimedTasks = meters.counter("conveyor.worker.claimed.tasks");
        Continuations continuations = new Continuations(workerPool);
        batcher = new CompletionBatcher(client, workerId, batchSizes::record, continuations);
        RunningTask.Completer completer = config.completeBatch()
                ? batcher::complete
                : (id, lease, output, metadata) -> client.complete(id, workerId, lease, output, metadata);
        attempts = new AttemptServices(
                client,
                completer,
                workerId,
                outputs,
                timer,
                workerPool,
                config.progressInterval(),
                this,
                continuations);
        ClaimLoop.Claimant who = new ClaimLoop.Claimant(workerId, handlers.capabilities(), handlers.taskTypes());
        ClaimLoop.Sink sink = new ClaimLoop.Sink() {
            @Override
            public void start(ClaimedTask task) {
                WorkerRuntime.this.start(task);
            }

            @Override
            public void handBack(ClaimedTask task, String why) {
                WorkerRuntime.this.handBack(task, why);
            }
        };
        dispatcher = named("worker-dispatcher").newThread(() -> loop.run(client, who, sink, claims, claimedTasks));
        dispatcher.start();
        LOG.infof(
                "worker %s runs %s with capabilities %s, %d slots, batch %d, batch complete %s, against %s",
                workerId,
                handlers.taskTypes(),
                handlers.capabilities(),
                config.slots(),
                config.batch(),
                config.completeBatch(),
                taskApiUrl);
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

    /**
     * Tasks whose handler still runs: a task whose outcome is being reported holds its slot until task-api acknowledges
     * it, but no longer makes the worker busy (so an idle worker is long-polling again while its last completion is
     * sent, when the next task is likely to come).
     */
    int handlersRunning() {
        int n = 0;
        for (RunningTask rt : running.values()) {
            if (!rt.reporting()) {
                n++;
            }
        }
        return n;
    }

    /** How many claim requests this worker sent (for tests and metrics). */
    public int claimRequests() {
        return loop.claimRequests();
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
        loop.wakeupSource(healthy);
    }

    /** The wake-up source's health changed: re-decide between wake-ups and long-polls now. */
    public void wakeupSourceChanged() {
        loop.signal();
    }

    /** Whether the claim loop can use a wake-up now (the wake-up consumer reads nothing while it cannot). */
    public WakeupDemand wakeupDemand() {
        return loop.demand();
    }

    /** A matching task was queued: claim now. */
    public void wake() {
        loop.wake();
    }

    /** A matching task becomes claimable at {@code runAfter} (a requeued task's backoff): claim then. */
    public void wakeAt(Instant runAfter) {
        long delay = Duration.between(Instant.now(), runAfter).toMillis();
        if (delay <= 5) {
            wake();
        } else {
            timer.schedule(this::wake, delay, TimeUnit.MILLISECONDS);
        }
    }

    private void start(ClaimedTask task) {
        Optional<TaskHandler> handler = handlers.handler(task.taskType());
        if (handler.isEmpty()) {
            // Cannot happen with a task-api that honours the claim's taskTypes (the handlers' types); kept as a safety
            // net.
            LOG.errorf("claimed task %s of type %s that no handler runs; handing it back", task.id(), task.taskType());
            handBack(task, "no handler for " + task.taskType());
            return;
        }
        RunningTask rt = new RunningTask(task, handler.get(), attempts);
        running.put(task.id(), rt);
        rt.start();
    }

    /** Releases a claimed task this worker will not run: queued again at once, its attempt given back. */
    private void handBack(ClaimedTask task, String why) {
        client.release(task.id(), workerId, task.leaseToken()).whenComplete((ok, error) -> {
            if (error != null) {
                LOG.warnf(
                        "could not hand task %s back (%s): %s; it runs again when its lease expires",
                        task.id(), why, Failures.cause(error).toString());
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
    public void reporting(RunningTask task) {
        loop.signal(); // may be idle now: long-poll (see handlersRunning)
    }

    @Override
    public void finished(RunningTask task, RunningTask.Outcome outcome) {
        running.remove(task.taskId(), task);
        taskCounter(task.taskType(), outcome).increment();
        loop.signal();
    }

    /**
     * The {@code conveyor.worker.tasks} counter of a task type and outcome, looked up in the registry once per pair:
     * building the tags and the meter id for every finished task cost an allocation-heavy registry lookup per task.
     */
    private Counter taskCounter(String taskType, RunningTask.Outcome outcome) {
        return taskCounters
                .computeIfAbsent(taskType, t -> new ConcurrentHashMap<>())
                .computeIfAbsent(
                        outcome,
                        o -> meters.counter(
                                "conveyor.worker.tasks",
                                "type",
                                taskType,
                                "outcome",
                                o.name().toLowerCase(Locale.ROOT)));
    }

    /** Stops claiming, lets running tasks finish within the grace period, then releases the rest (attempts not counted). */
    void shutdown() {
        if (dispatcher == null || loop.stopping()) {
            return;
        }
        loop.stop();
        long deadline = System.nanoTime() + config.shutdownGrace().toNanos();
        while (!running.isEmpty() && System.nanoTime() < deadline) {
            try {
                loop.awaitSignal(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
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
            // A claim in flight (a long-poll: up to its wait) may still bring tasks: the dispatcher hands those back.
            dispatcher.join(config.longPoll().toMillis() + 2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workerPool.shutdownNow();
        client.close();
    }

    /** A factory of daemon threads named {@code <prefix>-<n>}. */
    static ThreadFactory named(String prefix) {
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

    /** How many tasks this worker runs at once (config). */
    public int slots() {
        return config.slots();
    }
}
