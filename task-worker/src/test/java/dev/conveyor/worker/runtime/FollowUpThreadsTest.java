package dev.conveyor.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.worker.client.TaskApiClient;
import dev.conveyor.worker.client.model.ClaimedTask;
import dev.conveyor.worker.e2e.Api;
import dev.conveyor.worker.e2e.TaskApiProcess;
import dev.conveyor.worker.e2e.TaskApiResource;
import dev.conveyor.worker.output.OutputStore;
import dev.conveyor.worker.sdk.ChildTask;
import dev.conveyor.worker.sdk.TaskContext;
import dev.conveyor.worker.sdk.TaskHandler;
import dev.conveyor.worker.sdk.TaskResult;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which thread runs what follows a task-api answer: the worker pool, never the HTTP client's threads (issue 14). The
 * attempts run against the real task-api process with pools of recognisable names; every follow-up records the thread
 * it ran on.
 */
@QuarkusTest
@QuarkusTestResource(value = DevstackResource.class)
@QuarkusTestResource(value = TaskApiResource.class)
class FollowUpThreadsTest {
    private static final String WORKER_ID = "follow-up-threads-test";

    @Inject
    OutputStore outputs;

    private final ExecutorService http = Executors.newFixedThreadPool(2, WorkerRuntime.named("test-http"));
    private final ExecutorService workerPool = Executors.newCachedThreadPool(WorkerRuntime.named("test-worker"));
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(WorkerRuntime.named("test-timer"));
    /** Step -> the thread it ran on. */
    private final Map<String, String> threads = new ConcurrentHashMap<>();

    private final CompletableFuture<RunningTask.Outcome> finished = new CompletableFuture<>();
    private TaskApiClient client;
    private Api api;
    private UUID project;

    @BeforeEach
    void setUp() {
        client = new TaskApiClient(TaskApiProcess.url(), TaskApiProcess.workerToken(), http);
        api = new Api(TaskApiProcess.url());
        project = api.newProject(100);
    }

    @AfterEach
    void stopPools() {
        http.shutdownNow();
        workerPool.shutdownNow();
        timer.shutdownNow();
    }

    @Test
    void aHandlersStepsAfterTaskApiAnswersAndTheReportsConsequencesRunOnTheWorkerPool() throws Exception {
        ClaimedTask task = claimNewTask();
        TaskHandler handler = handler(ctx -> ctx.task(ctx.taskId())
                .invoke(view -> recordThread("after reading a task"))
                .flatMap(view -> ctx.createChild(new ChildTask("noop", Api.json("{}"), List.of(), null, null))
                        .onItemOrFailure()
                        .transform((id, refused) -> recordThread("after creating a child")))
                .map(step -> TaskResult.empty()));

        new RunningTask(task, handler, services()).start();

        assertThat(finished.get(20, TimeUnit.SECONDS)).isEqualTo(RunningTask.Outcome.COMPLETED);
        assertThat(api.task(task.id()).path("status").asText()).isEqualTo("complete");
        assertThat(threads)
                .containsOnlyKeys("after reading a task", "after creating a child", "finished")
                .allSatisfy((step, thread) -> assertThat(thread).as(step).startsWith("test-worker-"));
    }

    @Test
    void aHeartbeatAnsweringCancelledStopsTheAttemptFromTheWorkerPool() throws Exception {
        ClaimedTask task = claimNewTask();
        api.cancel(task.id());
        // progress-interval 0: this progress goes out with a heartbeat at once, whose answer is "cancelled: true"
        TaskHandler handler = handler(ctx -> {
            ctx.progress(10, "working");
            return Uni.createFrom().nothing();
        });

        new RunningTask(task, handler, services()).start();

        assertThat(finished.get(20, TimeUnit.SECONDS)).isEqualTo(RunningTask.Outcome.CANCELLED);
        assertThat(threads).containsOnlyKeys("finished");
        assertThat(threads.get("finished")).startsWith("test-worker-");
    }

    @Test
    void aHandlerThatMayBlockIsCalledOnTheWorkerPool() throws Exception {
        ClaimedTask task = claimNewTask();
        TaskHandler handler = handler(true, ctx -> {
            recordThread("handle");
            return Uni.createFrom().item(TaskResult.empty());
        });

        new RunningTask(task, handler, services()).start();

        assertThat(finished.get(20, TimeUnit.SECONDS)).isEqualTo(RunningTask.Outcome.COMPLETED);
        assertThat(threads.get("handle")).startsWith("test-worker-");
    }

    @Test
    void aHandlerThatDoesNotBlockIsCalledOnTheStartingThreadAndWhatFollowsRunsOnTheWorkerPool() throws Exception {
        ClaimedTask task = claimNewTask();
        TaskHandler handler = handler(false, ctx -> {
            recordThread("handle");
            return ctx.task(ctx.taskId())
                    .invoke(view -> recordThread("after reading a task"))
                    .map(view -> TaskResult.empty());
        });

        new RunningTask(task, handler, services()).start();

        assertThat(finished.get(20, TimeUnit.SECONDS)).isEqualTo(RunningTask.Outcome.COMPLETED);
        assertThat(api.task(task.id()).path("status").asText()).isEqualTo("complete");
        assertThat(threads.get("handle")).isEqualTo(Thread.currentThread().getName());
        assertThat(threads.get("after reading a task")).startsWith("test-worker-");
        assertThat(threads.get("finished")).startsWith("test-worker-");
    }

    /** A noop task (no worker of this JVM runs that type), claimed by this test. */
    private ClaimedTask claimNewTask() {
        UUID id = UUID.fromString(
                api.createTask(project, "noop", Api.json("{}")).path("id").asText());
        List<ClaimedTask> claimed = new ArrayList<>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            claimed.addAll(client.claim(WORKER_ID, List.of("bench"), List.of("noop"), 1, 1).stream()
                    .filter(t -> t.id().equals(id))
                    .toList());
            return !claimed.isEmpty();
        });
        return claimed.get(0);
    }

    private AttemptServices services() {
        RunningTask.Completer completer =
                (id, lease, output, metadata) -> client.complete(id, WORKER_ID, lease, output, metadata);
        RunningTask.Listener listener = new RunningTask.Listener() {
            @Override
            public void started(RunningTask task) {}

            @Override
            public void finished(RunningTask task, RunningTask.Outcome outcome) {
                recordThread("finished");
                finished.complete(outcome);
            }
        };
        return new AttemptServices(
                client,
                completer,
                WORKER_ID,
                outputs,
                timer,
                workerPool,
                Duration.ZERO,
                listener,
                new Continuations(workerPool));
    }

    private String recordThread(String step) {
        threads.put(step, Thread.currentThread().getName());
        return step;
    }

    private static TaskHandler handler(Function<TaskContext, Uni<TaskResult>> body) {
        return handler(true, body);
    }

    private static TaskHandler handler(boolean blocking, Function<TaskContext, Uni<TaskResult>> body) {
        return new TaskHandler() {
            @Override
            public boolean blocking() {
                return blocking;
            }

            @Override
            public String taskType() {
                return "noop";
            }

            @Override
            public Uni<TaskResult> handle(TaskContext context) {
                return body.apply(context);
            }
        };
    }
}
