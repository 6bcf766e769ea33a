package dev.conveyor.taskapi;

import static dev.conveyor.taskapi.Fixtures.claim;
import static dev.conveyor.taskapi.Fixtures.orchestrator;
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
import io.restassured.response.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pipelines are one unit: a travel_orchestrator holds the whole pipeline's cost at create (2 + 3 per segment + 1), its
 * children draw from that hold, cancel and final failure cascade to what is unfinished below it, children are created
 * all or nothing, and a retried pipeline holds and re-creates only what did not complete. Credits are checked exactly.
 */
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class PipelineTest {
    private static final String WORKER = "pipeline-worker";

    record Leased(String id, String token) {}

    @BeforeEach
    void isolate() throws Exception {
        Fixtures.isolateQueue();
    }

    private static Leased claimOne() {
        Map<String, Object> t = claim(WORKER, List.of("wan2gp"), 1, 2)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getMap("tasks[0]");
        assertThat(t).as("a claimable task").isNotNull();
        return new Leased((String) t.get("id"), (String) t.get("leaseToken"));
    }

    /** A travel_orchestrator of {@code segments} segments of {@code user}, claimed by {@link #WORKER}. */
    private static Leased leasedOrchestrator(Fixtures.User user, int segments) {
        String id = user.createTask("travel_orchestrator", orchestrator(segments));
        Leased leased = claimOne();
        assertThat(leased.id()).isEqualTo(id);
        return leased;
    }

    private static Map<String, Object> item(String type, String key, List<Integer> dependsOnItems) {
        Map<String, Object> item =
                new HashMap<>(Map.of("taskType", type, "params", Map.of("prompt", key), "idempotencyKey", key));
        item.put("dependsOnItems", dependsOnItems);
        return item;
    }

    private static Response batch(Leased parent, List<Map<String, Object>> children) {
        return worker().body(Map.of("workerId", WORKER, "leaseToken", parent.token(), "children", children))
                .post("/v1/worker/tasks/" + parent.id() + "/children/batch");
    }

    /** The travel plan: segments seg-0.., then a stitch depending on all of them; answers the children's ids in order. */
    private static List<String> plan(Leased parent, int segments, int status) {
        List<Map<String, Object>> children = new ArrayList<>();
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < segments; i++) {
            children.add(item("travel_segment", "seg-" + i, List.of()));
            all.add(i);
        }
        children.add(item("travel_stitch", "stitch", all));
        Response r = batch(parent, children);
        assertThat(r.statusCode()).as(r.body().asString()).isEqualTo(status);
        return r.jsonPath().getList("items.task.id");
    }

    private static void complete(Leased t) {
        worker().body(Map.of("workerId", WORKER, "leaseToken", t.token(), "outputLocation", "o", "metadata", Map.of()))
                .post("/v1/worker/tasks/" + t.id() + "/complete")
                .then()
                .statusCode(200);
    }

    private static void completeNext() {
        complete(claimOne());
    }

    private static void assertAccount(Fixtures.User user, long balance, long held) {
        assertThat(user.account()).containsEntry("balance", (int) balance).containsEntry("held", (int) held);
    }

    /** The user's ledger after the grant, as kind:amount in order. */
    private static List<String> ledger(Fixtures.User user) throws Exception {
        List<String> rows = new ArrayList<>();
        try (var c = Fixtures.db();
                var s = c.createStatement();
                var rs = s.executeQuery("SELECT kind, amount FROM credit_ledger WHERE user_id = '" + user.id()
                        + "' AND kind <> 'grant' ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + ":" + rs.getLong(2));
            }
        }
        return rows;
    }

    private static void refused(int status, String code, String detailStart, Supplier<Response> call) throws Exception {
        String before = Fixtures.dbState();
        Response r = call.get();
        assertThat(r.statusCode()).as(r.body().asString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.jsonPath().getString("code")).as(r.body().asString()).isEqualTo(code);
        assertThat(r.jsonPath().getString("detail")).startsWith(detailStart);
        assertThat(Fixtures.dbState()).isEqualTo(before);
    }

    @Test
    void theEstimateOfAPipelineIsItsWholeCostWithABreakdownAndItsCreateHoldsExactlyThat() throws Exception {
        Fixtures.User user = Fixtures.user(100);
        Response r = user.api()
                .body(Map.of("taskType", "travel_orchestrator", "params", orchestrator(3)))
                .post("/v1/tasks/estimate");
        r.then().statusCode(200).body("taskType", is("travel_orchestrator")).body("cost", is(12));
        assertThat(r.jsonPath().getList("breakdown"))
                .containsExactly(
                        Map.of("taskType", "travel_orchestrator", "count", 1, "cost", 2),
                        Map.of("taskType", "travel_segment", "count", 3, "cost", 9),
                        Map.of("taskType", "travel_stitch", "count", 1, "cost", 1));
        // the price follows the segments the handler reads; num_segments, which nothing reads, prices nothing
        Map<String, Object> params = new HashMap<>(orchestrator(3));
        params.put("num_segments", 10);
        user.api()
                .body(Map.of("taskType", "travel_orchestrator", "params", params))
                .post("/v1/tasks/estimate")
                .then()
                .statusCode(200)
                .body("cost", is(12));
        user.api()
                .body(Map.of("projectId", user.projectId(), "taskType", "travel_orchestrator", "params", params))
                .post("/v1/tasks")
                .then()
                .statusCode(201)
                .body("cost", is(12));
        assertAccount(user, 100, 12);
        assertThat(ledger(user)).containsExactly("hold:12");
        user.api()
                .body(Map.of("taskType", "single_image", "params", Map.of("prompt", "p", "num_images", 2)))
                .post("/v1/tasks/estimate")
                .then()
                .statusCode(200)
                .body("cost", is(2))
                .body("breakdown", is(List.of(Map.of("taskType", "single_image", "count", 1, "cost", 2))));
        // a pipeline its handler would refuse is refused at create, like the handler bounds it
        for (Map<String, Object> bad : List.of(
                Map.<String, Object>of("num_segments", 3),
                Map.<String, Object>of("full_orchestrator_payload", Map.of("segments", List.of())),
                orchestrator(51))) {
            refused(
                    422,
                    "validation_failed",
                    "params.full_orchestrator_payload.segments",
                    () -> user.api()
                            .body(Map.of(
                                    "projectId", user.projectId(), "taskType", "travel_orchestrator", "params", bad))
                            .post("/v1/tasks"));
        }
    }

    @Test
    void childrenDrawFromTheParentsHoldAndACompletedPipelineCostsExactlyItsEstimate() throws Exception {
        Fixtures.User user = Fixtures.user(100);
        Leased parent = leasedOrchestrator(user, 2);
        Response r = batch(
                parent,
                List.of(
                        item("travel_segment", "seg-0", List.of()),
                        item("travel_segment", "seg-1", List.of()),
                        item("travel_stitch", "stitch", List.of(0, 1))));
        r.then()
                .statusCode(201)
                .body("items.replayed", is(List.of(false, false, false)))
                .body("items.task.cost", is(List.of(3, 3, 1)))
                .body("items.task.status", is(List.of("queued", "queued", "waiting")));
        List<String> ids = r.jsonPath().getList("items.task.id");
        assertThat(user.task(ids.get(2)).get("dependsOn")).isEqualTo(ids.subList(0, 2));
        // one transaction, yet listed in the order they were created
        assertThat(user.api()
                        .get("/v1/tasks/" + parent.id() + "/children")
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath()
                        .<String>getList("id"))
                .isEqualTo(ids);
        assertAccount(user, 100, 9);
        assertThat(user.task(parent.id())).containsEntry("cost", 2);

        complete(parent);
        completeNext();
        completeNext();
        completeNext(); // the stitch, queued once both segments completed
        assertThat(user.task(ids.get(2))).containsEntry("status", "complete");
        assertAccount(user, 91, 0);
        assertThat(ledger(user)).containsExactly("hold:9", "capture:2", "capture:3", "capture:3", "capture:1");
    }

    @Test
    void aBatchOfChildrenThatFailsHalfwayCreatesNothing() throws Exception {
        Fixtures.User user = Fixtures.user(100);
        Leased parent = leasedOrchestrator(user, 1); // holds 6: 2 for itself, 4 for its children
        refused(
                422,
                "validation_failed",
                "children[2]: params.prompt",
                () -> batch(
                        parent,
                        List.of(
                                item("travel_segment", "a", List.of()),
                                item("travel_stitch", "b", List.of(0)),
                                Map.of("taskType", "single_image", "params", Map.of()))));
        refused(
                402,
                "pipeline_budget_exceeded",
                "children[1]: the child costs 3",
                () -> batch(
                        parent,
                        List.of(
                                item("travel_segment", "a", List.of()),
                                item("travel_segment", "b", List.of()),
                                item("travel_stitch", "c", List.of(0, 1)))));
        refused(
                422,
                "unknown_task_type",
                "children[1]",
                () -> batch(
                        parent, List.of(item("travel_segment", "a", List.of()), item("no_such_type", "b", List.of()))));
        refused(
                422,
                "validation_failed",
                "children[0]: dependsOnItems",
                () -> batch(
                        parent,
                        List.of(item("travel_segment", "a", List.of(1)), item("travel_stitch", "b", List.of()))));
        refused(422, "validation_failed", "children must hold", () -> batch(parent, List.of()));
        refused(
                409,
                "lease_lost",
                "task " + parent.id(),
                () -> batch(
                        new Leased(parent.id(), java.util.UUID.randomUUID().toString()),
                        List.of(item("travel_segment", "a", List.of()))));
        assertAccount(user, 100, 6);
        assertThat(ledger(user)).containsExactly("hold:6");

        List<String> ids = plan(parent, 1, 201);
        assertThat(ids).hasSize(2);
        assertAccount(user, 100, 6);
        assertThat(user.task(parent.id())).containsEntry("cost", 2);
    }

    @Test
    void cancellingAParentCancelsEveryUnfinishedTaskBelowItAndReleasesWhatTheyHold() throws Exception {
        Fixtures.User user = Fixtures.user(100);
        Leased parent = leasedOrchestrator(user, 2);
        List<String> ids = plan(parent, 2, 201);
        Leased running = claimOne(); // one segment is in progress on a worker
        try (KafkaLog log = new KafkaLog(Topics.TASK_EVENTS)) {
            user.api()
                    .post("/v1/tasks/" + parent.id() + "/cancel")
                    .then()
                    .statusCode(200)
                    .body("status", is("cancelled"));

            for (String id : ids) {
                assertThat(user.task(id)).as(id).containsEntry("status", "cancelled");
                assertThat(log.awaitTypes(id, EventTypes.TASK_CANCELLED))
                        .extracting(e -> e.type())
                        .contains(EventTypes.TASK_CANCELLED);
            }
        }
        assertAccount(user, 100, 0);
        assertThat(ledger(user))
                .containsExactlyInAnyOrder("hold:9", "release:2", "release:3", "release:3", "release:1");
        // the running segment's worker learns it on its next heartbeat, and its result is refused
        worker().body(Map.of("workerId", WORKER, "leaseToken", running.token()))
                .post("/v1/worker/tasks/" + running.id() + "/heartbeat")
                .then()
                .statusCode(200)
                .body("cancelled", is(true));
        worker().body(Map.of(
                        "workerId", WORKER, "leaseToken", running.token(), "outputLocation", "o", "metadata", Map.of()))
                .post("/v1/worker/tasks/" + running.id() + "/complete")
                .then()
                .statusCode(409)
                .body("code", is("lease_lost"));
        assertAccount(user, 100, 0);
    }

    @Test
    void cancellingACompletedParentCancelsWhatStillRunsBelowIt() throws Exception {
        Fixtures.User user = Fixtures.user(100);
        Leased parent = leasedOrchestrator(user, 1);
        List<String> ids = plan(parent, 1, 201);
        complete(parent);
        assertAccount(user, 98, 4);

        user.api()
                .post("/v1/tasks/" + parent.id() + "/cancel")
                .then()
                .statusCode(200)
                .body("status", is("complete"));
        assertThat(ids).allSatisfy(id -> assertThat(user.task(id)).containsEntry("status", "cancelled"));
        assertAccount(user, 98, 0);
        user.api()
                .post("/v1/tasks/" + parent.id() + "/cancel")
                .then()
                .statusCode(409)
                .body("code", is("task_final"));
    }

    @Test
    void aParentsFinalFailureCascadesWhetherItFailsForGoodRunsOutOfAttemptsOrIsReaped() throws Exception {
        Fixtures.User user = Fixtures.user(100);
        Leased permanent = leasedOrchestrator(user, 1);
        List<String> first = plan(permanent, 1, 201);
        // a retryable failure with attempts left is no final failure: the pipeline goes on
        Fixtures.execute("UPDATE tasks SET max_attempts = 2 WHERE id = '" + permanent.id() + "'");
        worker().body(Map.of("workerId", WORKER, "leaseToken", permanent.token(), "error", "flaky", "retryable", true))
                .post("/v1/worker/tasks/" + permanent.id() + "/fail")
                .then()
                .statusCode(200)
                .body("status", is("queued"));
        assertThat(user.task(first.get(0))).containsEntry("status", "queued");
        Fixtures.execute("UPDATE tasks SET run_after = now() WHERE id = '" + permanent.id() + "'");
        Leased again = leasedAgain(permanent.id());
        worker().body(Map.of("workerId", WORKER, "leaseToken", again.token(), "error", "broken", "retryable", false))
                .post("/v1/worker/tasks/" + permanent.id() + "/fail")
                .then()
                .statusCode(200)
                .body("status", is("failed"));
        assertThat(first).allSatisfy(id -> assertThat(user.task(id)).containsEntry("status", "cancelled"));
        assertAccount(user, 100, 0);

        Leased lastAttempt = leasedOrchestrator(user, 1);
        List<String> second = plan(lastAttempt, 1, 201);
        Fixtures.execute("UPDATE tasks SET max_attempts = 1 WHERE id = '" + lastAttempt.id() + "'");
        worker().body(Map.of(
                        "workerId", WORKER, "leaseToken", lastAttempt.token(), "error", "flaky", "retryable", true))
                .post("/v1/worker/tasks/" + lastAttempt.id() + "/fail")
                .then()
                .statusCode(200)
                .body("status", is("failed"));
        assertThat(second).allSatisfy(id -> assertThat(user.task(id)).containsEntry("status", "cancelled"));
        assertAccount(user, 100, 0);

        Leased reaped = leasedOrchestrator(user, 1);
        List<String> third = plan(reaped, 1, 201);
        Fixtures.execute(
                "UPDATE tasks SET max_attempts = 1, lease_expires_at = now() - interval '1 second' WHERE id = '"
                        + reaped.id() + "'");
        await().atMost(Duration.ofSeconds(15))
                .until(() -> "failed".equals(user.task(reaped.id()).get("status")));
        assertThat(third).allSatisfy(id -> assertThat(user.task(id)).containsEntry("status", "cancelled"));
        assertAccount(user, 100, 0);
        assertThat(ledger(user).stream().filter(l -> l.startsWith("capture")).toList())
                .isEmpty();
    }

    private static Leased leasedAgain(String id) {
        Leased l = claimOne();
        assertThat(l.id()).isEqualTo(id);
        return l;
    }

    @Test
    void retryingACascadedParentHoldsWhatDidNotCompleteAndRevivesTheChildrenItCreatesAgain() throws Exception {
        Fixtures.User user = Fixtures.user(100);
        Leased parent = leasedOrchestrator(user, 2);
        List<String> ids = plan(parent, 2, 201);
        Leased done = claimOne();
        complete(done); // one segment completed (paid 3) before the user cancelled the pipeline
        user.api().post("/v1/tasks/" + parent.id() + "/cancel").then().statusCode(200);
        assertAccount(user, 97, 0);

        user.api()
                .post("/v1/tasks/" + parent.id() + "/retry")
                .then()
                .statusCode(200)
                .body("status", is("queued"))
                .body("cost", is(6));
        assertAccount(user, 97, 6);
        Leased again = leasedAgain(parent.id());
        Response r = batch(
                again,
                List.of(
                        item("travel_segment", "seg-0", List.of()),
                        item("travel_segment", "seg-1", List.of()),
                        item("travel_stitch", "stitch", List.of(0, 1))));
        r.then().statusCode(200).body("items.replayed", is(List.of(true, true, true)));
        assertThat(r.jsonPath().<String>getList("items.task.id")).isEqualTo(ids);
        Map<String, String> status = new HashMap<>();
        for (int i = 0; i < 3; i++) {
            status.put(ids.get(i), r.jsonPath().getString("items[" + i + "].task.status"));
        }
        String other = ids.get(0).equals(done.id()) ? ids.get(1) : ids.get(0);
        assertThat(status)
                .containsEntry(done.id(), "complete")
                .containsEntry(other, "queued")
                .containsEntry(ids.get(2), "waiting");
        assertAccount(user, 97, 6);
        assertThat(user.task(again.id())).containsEntry("cost", 2);

        complete(again);
        completeNext();
        completeNext();
        assertThat(user.task(ids.get(2))).containsEntry("status", "complete");
        // over both runs the user paid the pipeline's price once: 2 + 3 + 3 + 1
        assertAccount(user, 91, 0);
        assertThat(ledger(user).stream()
                        .filter(l -> l.startsWith("capture"))
                        .mapToLong(l -> Long.parseLong(l.substring(8)))
                        .sum())
                .isEqualTo(9);
    }

    @Test
    void aChildRetriedOnItsOwnHoldsItsCostOnTheAccountAndAParentThatCreatedLessReleasesTheRest() throws Exception {
        Fixtures.User user = Fixtures.user(100);
        Leased parent = leasedOrchestrator(user, 2); // 9
        String segment = worker().body(Map.of(
                        "workerId",
                        WORKER,
                        "leaseToken",
                        parent.token(),
                        "taskType",
                        "travel_segment",
                        "params",
                        Map.of("prompt", "only"),
                        "idempotencyKey",
                        "seg-0"))
                .post("/v1/worker/tasks/" + parent.id() + "/children")
                .then()
                .statusCode(201)
                .body("cost", is(3))
                .extract()
                .path("id");
        complete(parent); // it created one segment of the two and no stitch: 4 of its budget were never drawn
        assertAccount(user, 98, 3);
        assertThat(user.task(parent.id())).containsEntry("cost", 2);
        assertThat(ledger(user)).containsExactly("hold:9", "release:4", "capture:2");

        user.api().post("/v1/tasks/" + segment + "/cancel").then().statusCode(200);
        assertAccount(user, 98, 0);
        user.api()
                .post("/v1/tasks/" + segment + "/retry")
                .then()
                .statusCode(200)
                .body("cost", is(3));
        assertAccount(user, 98, 3);
        completeNext();
        assertAccount(user, 95, 0);
    }
}
