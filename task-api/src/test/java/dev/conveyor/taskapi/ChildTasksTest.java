package dev.conveyor.taskapi;

import static dev.conveyor.taskapi.Fixtures.claim;
import static dev.conveyor.taskapi.Fixtures.queryLong;
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
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** POST /v1/worker/tasks/{parentId}/children and GET /v1/worker/tasks/{id}: children of a leased task. */
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class ChildTasksTest {
    private static final String WORKER = "orchestrator-worker";

    /** A claimed parent: its id and lease token. */
    record Leased(String id, String token) {}

    @BeforeEach
    void isolate() throws Exception {
        Fixtures.isolateQueue();
    }

    /** A travel_orchestrator of 2 segments (holds 2 + 2 * 3 + 1 = 9 for itself and its children) of {@code user}, claimed. */
    private static Leased leasedOrchestrator(Fixtures.User user) {
        String id = user.createTask("travel_orchestrator", Fixtures.orchestrator(2));
        return claimOnly(id, "wan2gp");
    }

    private static Leased claimOnly(String id, String capability) {
        Map<String, Object> t = claim(WORKER, List.of(capability), 1, 2)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getMap("tasks[0]");
        assertThat(t).containsEntry("id", id);
        return new Leased(id, (String) t.get("leaseToken"));
    }

    private static Map<String, Object> child(
            Leased parent, String type, Map<String, Object> params, List<String> dependsOn, String key) {
        Map<String, Object> body = new HashMap<>(Map.of(
                "workerId",
                WORKER,
                "leaseToken",
                parent.token(),
                "taskType",
                type,
                "params",
                params,
                "dependsOn",
                dependsOn));
        if (key != null) {
            body.put("idempotencyKey", key);
        }
        return body;
    }

    private static Response createChild(String parentId, Object body) {
        return worker().body(body).post("/v1/worker/tasks/" + parentId + "/children");
    }

    private static String segment(Leased parent, int i) {
        return createChild(
                        parent.id(),
                        child(parent, "travel_segment", Map.of("prompt", "s" + i), List.of(), "segment-" + i))
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }

    private static void complete(String id, String token) {
        worker().body(Map.of("workerId", WORKER, "leaseToken", token, "outputLocation", "o", "metadata", Map.of()))
                .post("/v1/worker/tasks/" + id + "/complete")
                .then()
                .statusCode(200);
    }

    private static String state() throws Exception {
        return queryLong("SELECT count(*) FROM tasks") + "/" + queryLong("SELECT coalesce(sum(held), 0) FROM accounts")
                + "/" + queryLong("SELECT count(*) FROM outbox") + "/"
                + queryLong("SELECT count(*) FROM credit_ledger");
    }

    private static void refused(int status, String code, Supplier<Response> call) throws Exception {
        String before = state();
        Response r = call.get();
        assertThat(r.statusCode()).as(r.body().asString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.jsonPath().getString("code")).as(r.body().asString()).isEqualTo(code);
        assertThat(state()).isEqualTo(before);
    }

    @Test
    void aChildCreatedUnderAHeldLeaseBelongsToTheParentsProjectAndUserDrawsItsCostFromTheParentAndIsPublished() {
        Fixtures.User user = Fixtures.user(20);
        Leased parent = leasedOrchestrator(user);
        assertThat(user.account()).containsEntry("held", 9);
        try (KafkaLog log = new KafkaLog(Topics.TASK_EVENTS)) {
            Response r = createChild(
                    parent.id(),
                    child(parent, "travel_segment", Map.of("prompt", "valley", "frames", 4), List.of(), null));
            assertThat(r.statusCode()).as(r.body().asString()).isEqualTo(201);
            String id = r.jsonPath().getString("id");
            assertThat(r.header("Location")).endsWith("/v1/worker/tasks/" + id);

            Map<String, Object> created = user.task(id);
            assertThat(created)
                    .containsEntry("projectId", user.projectId())
                    .containsEntry("userId", user.id().toString())
                    .containsEntry("parentTaskId", parent.id())
                    .containsEntry("taskType", "travel_segment")
                    .containsEntry("status", "queued")
                    .containsEntry("cost", 3);
            assertThat(created).doesNotContainKey("leaseToken");
            // drawn from what the parent's create held: the account does not change, the parent's cost goes down
            assertThat(user.account()).containsEntry("held", 9).containsEntry("balance", 20);
            assertThat(user.task(parent.id())).containsEntry("cost", 9 - 3);
            assertThat(log.awaitTypes(id, EventTypes.TASK_CREATED))
                    .extracting(e -> e.type())
                    .contains(EventTypes.TASK_CREATED);

            // the client lists it under its parent; a worker reads it whatever the project
            List<String> children = user.api()
                    .get("/v1/tasks/" + parent.id() + "/children")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath()
                    .getList("id");
            assertThat(children).containsExactly(id);
            worker().get("/v1/worker/tasks/" + id)
                    .then()
                    .statusCode(200)
                    .body("id", is(id))
                    .body("parentTaskId", is(parent.id()))
                    .body("projectId", is(user.projectId()));
        }
    }

    @Test
    void aRetriedCreateWithTheSameKeyAnswersTheSameChildAndDrawsItsCostOnceEvenUnderANewLease() throws Exception {
        Fixtures.User user = Fixtures.user(30);
        Leased first = leasedOrchestrator(user);
        String parentId = first.id();
        String id = createChild(parentId, child(first, "travel_segment", Map.of("prompt", "a"), List.of(), "segment-0"))
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        createChild(parentId, child(first, "travel_segment", Map.of("prompt", "a"), List.of(), "segment-0"))
                .then()
                .statusCode(200)
                .header("Idempotent-Replayed", "true")
                .body("id", is(id));
        assertThat(user.account()).containsEntry("held", 9);
        assertThat(user.task(parentId)).containsEntry("cost", 9 - 3);

        // the orchestrator's worker dies: its lease runs out and the reaper queues the parent again
        Fixtures.execute(
                "UPDATE tasks SET lease_expires_at = now() - interval '1 second' WHERE id = '" + parentId + "'");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> "queued".equals(user.task(parentId).get("status")));
        // the reaped lease may create nothing more, not even a replay
        refused(
                409,
                "lease_lost",
                () -> createChild(
                        parentId, child(first, "travel_segment", Map.of("prompt", "b"), List.of(), "segment-1")));

        Leased second = claimOnly(parentId, "wan2gp"); // the parent is older than its queued child
        assertThat(second.token()).isNotEqualTo(first.token());
        String before = state();
        createChild(parentId, child(second, "travel_segment", Map.of("prompt", "a"), List.of(), "segment-0"))
                .then()
                .statusCode(200)
                .body("id", is(id))
                .body("parentTaskId", is(parentId));
        assertThat(state()).isEqualTo(before);
        assertThat(user.account()).containsEntry("held", 9);
        assertThat(queryLong("SELECT count(*) FROM tasks WHERE parent_task_id = '" + parentId + "'"))
                .isEqualTo(1);

        // the same key under another parent, or as the user's own Idempotency key, is another task
        Fixtures.isolateQueue();
        Leased other = leasedOrchestrator(user);
        String otherChild = createChild(
                        other.id(), child(other, "travel_segment", Map.of("prompt", "a"), List.of(), "segment-0"))
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        assertThat(otherChild).isNotEqualTo(id);
        String own = user.api()
                .body(Map.of(
                        "projectId",
                        user.projectId(),
                        "taskType",
                        "travel_segment",
                        "params",
                        Map.of(),
                        "idempotencyKey",
                        "segment-0"))
                .post("/v1/tasks")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        assertThat(own).isNotIn(id, otherChild);
    }

    @Test
    void aWorkerWithoutTheParentsLeaseGetsLeaseLostAndNothingChanges() throws Exception {
        Fixtures.User user = Fixtures.user(20);
        Leased parent = leasedOrchestrator(user);
        Leased wrongToken = new Leased(parent.id(), UUID.randomUUID().toString());
        refused(
                409,
                "lease_lost",
                () -> createChild(parent.id(), child(wrongToken, "travel_segment", Map.of(), List.of(), null)));
        Map<String, Object> otherWorker = child(parent, "travel_segment", Map.of(), List.of(), null);
        otherWorker.put("workerId", "someone-else");
        refused(409, "lease_lost", () -> createChild(parent.id(), otherWorker));

        complete(parent.id(), parent.token());
        refused(
                409,
                "lease_lost",
                () -> createChild(parent.id(), child(parent, "travel_segment", Map.of(), List.of(), "late")));

        String queued = user.createTask("travel_orchestrator", Fixtures.orchestrator(1));
        refused(
                409,
                "lease_lost",
                () -> createChild(queued, child(parent, "travel_segment", Map.of(), List.of(), null)));
        refused(
                404,
                "not_found",
                () -> createChild(
                        UUID.randomUUID().toString(), child(parent, "travel_segment", Map.of(), List.of(), null)));
        assertThat(user.task(parent.id())).containsEntry("status", "complete");
        assertThat(queryLong(
                        "SELECT count(*) FROM tasks WHERE parent_task_id IN ('" + parent.id() + "', '" + queued + "')"))
                .isZero();
    }

    @Test
    void badInputIsAProblemAndChangesNothing() throws Exception {
        Fixtures.User user = Fixtures.user(12);
        Leased parent = leasedOrchestrator(user); // holds 9 of 12
        Fixtures.User other = Fixtures.user(5);
        String theirs = other.createTask("single_image", Map.of("prompt", "theirs"));
        String path = "/v1/worker/tasks/" + parent.id() + "/children";

        refused(
                422,
                "unknown_task_type",
                () -> createChild(parent.id(), child(parent, "no_such_type", Map.of(), List.of(), null)));
        // a child costing more than the parent's budget left (7) is refused, even though the account has 3 available
        refused(
                402,
                "pipeline_budget_exceeded",
                () -> createChild(
                        parent.id(), child(parent, "travel_orchestrator", Fixtures.orchestrator(2), List.of(), null)));
        refused(
                422,
                "validation_failed",
                () -> createChild(parent.id(), child(parent, "single_image", Map.of(), List.of(), null)));
        refused(
                422,
                "validation_failed",
                () -> createChild(parent.id(), child(parent, "travel_segment", Map.of(), List.of(theirs), null)));
        refused(
                422,
                "validation_failed",
                () -> createChild(
                        parent.id(),
                        child(
                                parent,
                                "travel_segment",
                                Map.of(),
                                List.of(UUID.randomUUID().toString()),
                                null)));
        refused(
                422,
                "validation_failed",
                () -> createChild(
                        parent.id(), Map.of("workerId", WORKER, "taskType", "travel_segment", "params", Map.of())));
        refused(
                422,
                "validation_failed",
                () -> createChild(
                        parent.id(),
                        Map.of("leaseToken", parent.token(), "taskType", "travel_segment", "params", Map.of())));
        refused(
                422,
                "validation_failed",
                () -> createChild(
                        parent.id(),
                        Map.of(
                                "workerId",
                                WORKER,
                                "leaseToken",
                                "not-a-uuid",
                                "taskType",
                                "travel_segment",
                                "params",
                                Map.of())));
        Map<String, Object> badPriority = child(parent, "travel_segment", Map.of(), List.of(), null);
        badPriority.put("priority", 5000);
        refused(422, "validation_failed", () -> createChild(parent.id(), badPriority));
        refused(
                422,
                "validation_failed",
                () -> createChild(parent.id(), child(parent, "travel_segment", Map.of(), List.of(), " ")));
        refused(
                400,
                "malformed_json",
                () -> worker().contentType(ContentType.JSON)
                        .body("{\"workerId\": ")
                        .post(path));
        refused(
                400,
                "invalid_id",
                () -> createChild("nope", child(parent, "travel_segment", Map.of(), List.of(), null)));
        refused(400, "invalid_id", () -> worker().get("/v1/worker/tasks/nope"));
        refused(404, "not_found", () -> worker().get("/v1/worker/tasks/" + UUID.randomUUID()));
        // roles: a user may neither create children nor use the worker read
        refused(
                403,
                "forbidden",
                () -> user.api()
                        .body(child(parent, "travel_segment", Map.of(), List.of(), null))
                        .post(path));
        refused(403, "forbidden", () -> user.api().get("/v1/worker/tasks/" + parent.id()));
        assertThat(user.account()).containsEntry("held", 9);
        assertThat(user.task(parent.id())).containsEntry("cost", 9);
    }

    @Test
    void aStitchThatDependsOnSegmentChildrenWaitsUntilTheyAllComplete() {
        Fixtures.User user = Fixtures.user(20);
        Leased parent = leasedOrchestrator(user);
        String s0 = segment(parent, 0);
        String s1 = segment(parent, 1);
        String stitch = createChild(parent.id(), child(parent, "travel_stitch", Map.of(), List.of(s0, s1), "stitch"))
                .then()
                .statusCode(201)
                .body("status", is("waiting"))
                .extract()
                .path("id");
        assertThat(user.account()).containsEntry("held", 9);
        assertThat(user.task(parent.id())).containsEntry("cost", 2);

        List<Map<String, Object>> claimed = claim(WORKER, List.of("wan2gp"), 100, 0)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("tasks");
        Map<String, String> leases = new HashMap<>();
        claimed.forEach(t -> leases.put((String) t.get("id"), (String) t.get("leaseToken")));
        assertThat(leases).containsOnlyKeys(s0, s1);
        complete(s0, leases.get(s0));
        assertThat(user.task(stitch)).containsEntry("status", "waiting");
        complete(s1, leases.get(s1));
        assertThat(user.task(stitch)).containsEntry("status", "queued");
        assertThat(user.api()
                        .get("/v1/tasks/" + parent.id() + "/children")
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath()
                        .<String>getList("id"))
                .containsExactly(s0, s1, stitch);
    }

    @Test
    void aChildWhoseSiblingDependencyFailsFinallyFails() {
        Fixtures.User user = Fixtures.user(20);
        Leased parent = leasedOrchestrator(user);
        String s0 = segment(parent, 0);
        String stitch = createChild(parent.id(), child(parent, "travel_stitch", Map.of(), List.of(s0), "stitch"))
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String token = claim(WORKER, List.of("wan2gp"), 1, 0)
                .then()
                .statusCode(200)
                .body("tasks[0].id", is(s0))
                .extract()
                .path("tasks[0].leaseToken");
        worker().body(Map.of("workerId", WORKER, "leaseToken", token, "error", "broken", "retryable", false))
                .post("/v1/worker/tasks/" + s0 + "/fail")
                .then()
                .statusCode(200)
                .body("status", is("failed"));
        assertThat(user.task(stitch)).containsEntry("status", "failed");
        // the failed segment's and the stitch's shares are released; the parent keeps its own and the unused budget
        assertThat(user.account()).containsEntry("held", 9 - 3 - 1);
    }
}
