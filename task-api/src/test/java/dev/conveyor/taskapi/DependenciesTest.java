package dev.conveyor.taskapi;

import static dev.conveyor.taskapi.Fixtures.claim;
import static dev.conveyor.taskapi.Fixtures.worker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;

import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.Topics;
import dev.conveyor.devstack.DevstackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class DependenciesTest {

    @BeforeEach
    void isolate() throws Exception {
        Fixtures.isolateQueue();
    }

    private static String dependent(Fixtures.User user, List<String> dependsOn) {
        return user.api()
                .body(Map.of(
                        "projectId",
                        user.projectId(),
                        "taskType",
                        "single_image",
                        "params",
                        Map.of("prompt", "d"),
                        "dependsOn",
                        dependsOn))
                .post("/v1/tasks")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    /** Claims the queued tasks and answers their lease tokens by task id. */
    private static Map<String, String> claimAll() {
        List<Map<String, Object>> tasks = claim("wd", List.of(), 100, 0)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("tasks");
        return tasks.stream().collect(java.util.stream.Collectors.toMap(t -> (String) t.get("id"), t ->
                (String) t.get("leaseToken")));
    }

    private static void complete(String id, String token) {
        worker().body(Map.of("workerId", "wd", "leaseToken", token, "outputLocation", "o", "metadata", Map.of()))
                .post("/v1/worker/tasks/" + id + "/complete")
                .then()
                .statusCode(200);
    }

    /** Waits until {@code n} statements of completions wait for a lock (an account row, a dependent, the outbox). */
    private static void awaitCompletionsWaitingForLocks(int n) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> Fixtures.queryLong("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                + "AND (query LIKE 'UPDATE accounts%' OR query LIKE 'INSERT INTO outbox%' "
                                + "OR query LIKE '%FOR UPDATE%')")
                        == n);
    }

    @Test
    void twoDependenciesCompletedAtTheSameTimeQueueTheirDependent() throws Exception {
        Fixtures.User user = Fixtures.user(10);
        String a = user.createTask("single_image", Map.of("prompt", "a"));
        String b = user.createTask("single_image", Map.of("prompt", "b"));
        String c = dependent(user, List.of(a, b));
        // Holding the user's account row keeps the first completion inside its transaction (waiting for the row at its
        // credit capture) while the second waits for their dependent's lock; released, they commit in turn.
        completeBothWhileHolding("SELECT 1 FROM accounts WHERE user_id = '" + user.id() + "' FOR UPDATE", a, b);
        assertThat(user.task(c)).containsEntry("status", "queued");
    }

    @Test
    void twoFreeDependenciesCompletedAtTheSameTimeQueueTheirDependent() throws Exception {
        Fixtures.User user = Fixtures.user(10);
        String a = user.createTask("test_free", Map.of());
        String b = user.createTask("test_free", Map.of());
        String c = dependent(user, List.of(a, b));
        // Free tasks capture no credits, so no account row orders their completions. Holding the outbox table keeps
        // both inside their transactions until each has promoted (or is waiting to): without a lock of its own, each
        // promotion would see the other dependency still in progress and the dependent would wait for ever.
        completeBothWhileHolding("LOCK TABLE outbox IN SHARE MODE", a, b);
        assertThat(user.task(c)).containsEntry("status", "queued");
    }

    /**
     * Claims {@code a} and {@code b} and completes both at once while a test transaction holds what {@code blocking}
     * locks, until both completions wait for a lock; then releases it and waits for both answers.
     */
    private static void completeBothWhileHolding(String blocking, String a, String b) throws Exception {
        Map<String, String> leases = claimAll();
        ExecutorService both = Executors.newFixedThreadPool(2);
        try (Connection blocker = Fixtures.db()) {
            blocker.setAutoCommit(false);
            blocker.createStatement().execute(blocking);
            Future<?> first = both.submit(() -> complete(a, leases.get(a)));
            Future<?> second = both.submit(() -> complete(b, leases.get(b)));
            awaitCompletionsWaitingForLocks(2);
            blocker.rollback();
            first.get(20, TimeUnit.SECONDS);
            second.get(20, TimeUnit.SECONDS);
        } finally {
            both.shutdownNow();
        }
    }

    @Test
    void aTaskWaitsUntilAllItsDependenciesCompleteThenIsQueued() {
        Fixtures.User user = Fixtures.user(10);
        String a = user.createTask("single_image", Map.of("prompt", "a"));
        String b = user.createTask("single_image", Map.of("prompt", "b"));
        try (KafkaLog log = new KafkaLog(Topics.TASK_EVENTS)) {
            String c = dependent(user, List.of(a, b));
            assertThat(user.task(c)).containsEntry("status", "waiting").containsEntry("dependsOn", List.of(a, b));
            assertThat(user.account()).containsEntry("held", 3);
            Map<String, String> leases = claimAll();
            assertThat(leases).containsOnlyKeys(a, b);
            complete(a, leases.get(a));
            assertThat(user.task(c)).containsEntry("status", "waiting");
            complete(b, leases.get(b));
            assertThat(user.task(c)).containsEntry("status", "queued");
            assertThat(log.awaitTypes(c, EventTypes.TASK_CREATED, EventTypes.TASK_QUEUED))
                    .extracting(e -> e.type())
                    .containsExactly(EventTypes.TASK_CREATED, EventTypes.TASK_QUEUED);
            assertThat(claimAll()).containsOnlyKeys(c);
        }
    }

    /**
     * Every completion looks its waiting dependents up in tasks_waiting_on; a GIN pending list (fastupdate) would make
     * each lookup read every waiting task created since the last vacuum. A waiting task's entry goes into the tree.
     */
    @Test
    void aWaitingTaskIsIndexedInTheTreeNotInAPendingListEveryCompletionWouldScan() throws Exception {
        Fixtures.User user = Fixtures.user(10);
        String a = user.createTask("single_image", Map.of("prompt", "a"));
        String waiting = dependent(user, List.of(a));
        assertThat(user.task(waiting)).containsEntry("status", "waiting");
        Fixtures.execute("CREATE EXTENSION IF NOT EXISTS pageinspect");
        long pending = Fixtures.queryLong(
                "SELECT n_pending_tuples FROM " + "gin_metapage_info(get_raw_page('tasks_waiting_on', 0))");
        long indexed = Fixtures.queryLong("SELECT count(*) FROM tasks WHERE status = 'waiting' AND depends_on && "
                + "ARRAY['" + a + "']::uuid[]");
        assertThat(indexed).isEqualTo(1);
        assertThat(pending).isZero();
    }

    @Test
    void aFinalFailureOfADependencyFailsItsDependentsTransitivelyAndReleasesTheirCredits() {
        Fixtures.User user = Fixtures.user(10);
        String a = user.createTask("single_image", Map.of("prompt", "a"));
        String b = dependent(user, List.of(a));
        String c = dependent(user, List.of(b));
        assertThat(user.account()).containsEntry("held", 3);
        String token = claimAll().get(a);
        worker().body(Map.of("workerId", "wd", "leaseToken", token, "error", "broken", "retryable", false))
                .post("/v1/worker/tasks/" + a + "/fail")
                .then()
                .statusCode(200)
                .body("status", is("failed"));
        assertThat(user.task(b))
                .containsEntry("status", "failed")
                .containsEntry("errorMessage", "dependency " + a + " did not complete");
        assertThat(user.task(c))
                .containsEntry("status", "failed")
                .containsEntry("errorMessage", "dependency " + b + " did not complete");
        assertThat(user.account()).containsEntry("held", 0).containsEntry("balance", 10);
    }

    @Test
    void cancellingADependencyFailsTheDependentAndANewDependentOfAFailedTaskIsRefused() {
        Fixtures.User user = Fixtures.user(10);
        String a = user.createTask("single_image", Map.of("prompt", "a"));
        String b = dependent(user, List.of(a));
        user.api().post("/v1/tasks/" + a + "/cancel").then().statusCode(200);
        assertThat(user.task(b)).containsEntry("status", "failed");
        assertThat(user.account()).containsEntry("held", 0);
        user.api()
                .body(Map.of(
                        "projectId",
                        user.projectId(),
                        "taskType",
                        "single_image",
                        "params",
                        Map.of("prompt", "d"),
                        "dependsOn",
                        List.of(a)))
                .post("/v1/tasks")
                .then()
                .statusCode(422)
                .body("code", is("dependency_failed"));
    }

    @Test
    void dependenciesMustBeTasksOfTheSameProject() {
        Fixtures.User user = Fixtures.user(10);
        String a = user.createTask("single_image", Map.of("prompt", "a"));
        String otherProject = user.api()
                .body(Map.of("name", "second"))
                .post("/v1/projects")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        user.api()
                .body(Map.of(
                        "projectId",
                        otherProject,
                        "taskType",
                        "single_image",
                        "params",
                        Map.of("prompt", "d"),
                        "dependsOn",
                        List.of(a)))
                .post("/v1/tasks")
                .then()
                .statusCode(422)
                .body("code", is("validation_failed"));
    }

    @Test
    void childrenAreListedUnderTheirParent() {
        Fixtures.User user = Fixtures.user(10);
        String parent = user.createTask("travel_orchestrator", Fixtures.orchestrator(1));
        String first = user.api()
                .body(Map.of(
                        "projectId",
                        user.projectId(),
                        "taskType",
                        "travel_segment",
                        "params",
                        Map.of(),
                        "parentTaskId",
                        parent))
                .post("/v1/tasks")
                .then()
                .statusCode(201)
                .body("parentTaskId", is(parent))
                .extract()
                .path("id");
        String second = user.api()
                .body(Map.of(
                        "projectId",
                        user.projectId(),
                        "taskType",
                        "travel_stitch",
                        "params",
                        Map.of(),
                        "parentTaskId",
                        parent,
                        "dependsOn",
                        List.of(first)))
                .post("/v1/tasks")
                .then()
                .statusCode(201)
                .body("status", is("waiting"))
                .extract()
                .path("id");
        user.api()
                .get("/v1/tasks/" + parent + "/children")
                .then()
                .statusCode(200)
                .body("id", is(List.of(first, second)));
        user.api()
                .get("/v1/tasks/" + first + "/children")
                .then()
                .statusCode(200)
                .body("size()", is(0));
    }
}
