package dev.conveyor.taskapi;

import static dev.conveyor.taskapi.Fixtures.claim;
import static dev.conveyor.taskapi.Fixtures.queryLong;
import static dev.conveyor.taskapi.Fixtures.worker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.is;

import dev.conveyor.contracts.CreditsChanged;
import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.Topics;
import dev.conveyor.devstack.DevstackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** POST /v1/worker/complete: many completions in one transaction, each item answered on its own. */
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class CompleteBatchTest {

    @BeforeEach
    void isolate() throws Exception {
        Fixtures.isolateQueue();
    }

    /** Claims every queued task; answers lease tokens by task id. */
    private static Map<String, String> claimAll() {
        List<Map<String, Object>> tasks = claim("wb", List.of(), 100, 0)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("tasks");
        return tasks.stream().collect(Collectors.toMap(t -> (String) t.get("id"), t -> (String) t.get("leaseToken")));
    }

    private static Map<String, Object> item(String id, String token) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("taskId", id);
        item.put("leaseToken", token);
        item.put("outputLocation", "http://out/" + id + ".png");
        item.put("metadata", Map.of("n", id.substring(0, 4)));
        return item;
    }

    private static ValidatableResponse completeBatch(List<Map<String, Object>> items) {
        return worker().body(Map.of("workerId", "wb", "tasks", items))
                .post("/v1/worker/complete")
                .then();
    }

    private static long count(String sql) throws Exception {
        return queryLong(sql);
    }

    private static String in(List<String> ids) {
        return ids.stream().map(id -> "'" + id + "'").collect(Collectors.joining(", ", "(", ")"));
    }

    @Test
    void aBatchCompletesEveryTaskCapturesEachHoldOnceAndPublishesEachEventOnce() throws Exception {
        Fixtures.User alice = Fixtures.user(20);
        Fixtures.User bob = Fixtures.user(10);
        List<String> aliceTasks = new ArrayList<>();
        for (int units = 1; units <= 5; units++) {
            aliceTasks.add(alice.createTask("single_image", Map.of("prompt", "a" + units, "num_images", units)));
        }
        List<String> bobTasks = List.of(
                bob.createTask("single_image", Map.of("prompt", "b1", "num_images", 2)),
                bob.createTask("single_image", Map.of("prompt", "b2", "num_images", 3)));
        assertThat(alice.account()).containsEntry("held", 15);
        assertThat(bob.account()).containsEntry("held", 5);
        Map<String, String> leases = claimAll();
        List<String> all = new ArrayList<>(aliceTasks);
        all.addAll(bobTasks);
        assertThat(leases).containsOnlyKeys(all);
        Collections.shuffle(all);
        List<Map<String, Object>> items =
                all.stream().map(id -> item(id, leases.get(id))).toList();

        try (KafkaLog log = new KafkaLog(Topics.TASK_EVENTS, Topics.ACCOUNT_EVENTS)) {
            List<Map<String, Object>> results =
                    completeBatch(items).statusCode(200).extract().jsonPath().getList("results");

            assertThat(results).extracting(r -> r.get("taskId")).containsExactlyElementsOf(all);
            assertThat(results).allSatisfy(r -> {
                assertThat(r.get("outcome")).isEqualTo("complete");
                assertThat(r).doesNotContainKey("error");
                @SuppressWarnings("unchecked")
                Map<String, Object> task = (Map<String, Object>) r.get("task");
                assertThat(task)
                        .containsEntry("status", "complete")
                        .containsEntry("outputLocation", "http://out/" + r.get("taskId") + ".png")
                        .containsEntry("progress", 100)
                        .doesNotContainKey("leaseToken");
            });
            assertThat(alice.task(aliceTasks.get(2)))
                    .containsEntry("status", "complete")
                    .containsEntry("metadata", Map.of("n", aliceTasks.get(2).substring(0, 4)));
            assertThat(alice.account())
                    .containsEntry("balance", 5)
                    .containsEntry("held", 0)
                    .containsEntry("available", 5);
            assertThat(bob.account()).containsEntry("balance", 5).containsEntry("held", 0);
            for (String id : all) {
                assertThat(count(
                                "SELECT count(*) FROM credit_ledger WHERE kind = 'capture' AND task_id = '" + id + "'"))
                        .as(id)
                        .isEqualTo(1);
            }
            assertThat(count("SELECT sum(amount) FROM credit_ledger WHERE kind = 'capture' AND user_id = '" + alice.id()
                            + "'"))
                    .isEqualTo(15);

            log.await(seen -> all.stream()
                            .allMatch(id -> log.about(id).stream()
                                    .anyMatch(e -> e.type().equals(EventTypes.TASK_COMPLETED)))
                    && !log.about(alice.id().toString()).isEmpty()
                    && !log.about(bob.id().toString()).isEmpty());
            for (String id : all) {
                assertThat(log.about(id))
                        .extracting(EventEnvelope::type)
                        .as(id)
                        .containsExactly(EventTypes.TASK_COMPLETED);
            }
            // One credits.changed per account for the whole batch: the account after it, the amount of every capture
            // (the ledger above still has a row per task).
            List<CreditsChanged> aliceCredits = log.about(alice.id().toString()).stream()
                    .map(e -> e.dataAs(CreditsChanged.class))
                    .toList();
            assertThat(aliceCredits).containsExactly(new CreditsChanged(alice.id(), 5, 0, 5, "capture", 15, null, 5));
            assertThat(log.about(bob.id().toString()))
                    .extracting(e -> e.dataAs(CreditsChanged.class))
                    .containsExactly(new CreditsChanged(bob.id(), 5, 0, 5, "capture", 5, null, 2));
        }

        // The same batch again (a worker retrying after a lost answer): every item complete, nothing changes.
        long outboxBefore = count("SELECT count(*) FROM outbox");
        long ledgerBefore = count("SELECT count(*) FROM credit_ledger");
        String completedAt = (String) alice.task(aliceTasks.get(0)).get("completedAt");
        List<Map<String, Object>> again =
                completeBatch(items).statusCode(200).extract().jsonPath().getList("results");
        assertThat(again).extracting(r -> r.get("outcome")).containsOnly("complete");
        assertThat(again).extracting(r -> r.get("taskId")).containsExactlyElementsOf(all);
        assertThat(count("SELECT count(*) FROM outbox")).isEqualTo(outboxBefore);
        assertThat(count("SELECT count(*) FROM credit_ledger")).isEqualTo(ledgerBefore);
        assertThat(alice.account()).containsEntry("balance", 5).containsEntry("held", 0);
        assertThat(alice.task(aliceTasks.get(0))).containsEntry("completedAt", completedAt);
    }

    @Test
    void aMixedBatchAnswersEachItemAndCommitsTheGoodOnes() throws Exception {
        Fixtures.User user = Fixtures.user(10);
        String good = user.createTask("single_image", Map.of("prompt", "good", "num_images", 2));
        String stale = user.createTask("single_image", Map.of("prompt", "stale", "num_images", 3));
        String cancelled = user.createTask("single_image", Map.of("prompt", "cancelled"));
        Map<String, String> leases = claimAll();
        user.api().post("/v1/tasks/" + cancelled + "/cancel").then().statusCode(200);
        String unknown = UUID.randomUUID().toString();

        List<Map<String, Object>> results = completeBatch(List.of(
                        item(stale, UUID.randomUUID().toString()),
                        item(unknown, UUID.randomUUID().toString()),
                        item(good, leases.get(good)),
                        item(cancelled, leases.get(cancelled))))
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("results");

        assertThat(results).extracting(r -> r.get("taskId")).containsExactly(stale, unknown, good, cancelled);
        assertThat(results)
                .extracting(r -> r.get("outcome"))
                .containsExactly("lease_lost", "task_not_found", "complete", "lease_lost");
        assertThat(results.get(0))
                .doesNotContainKey("task")
                .extractingByKey("error")
                .isEqualTo(Map.of(
                        "code",
                        "lease_lost",
                        "detail",
                        "task " + stale + " is in_progress and this lease token is not its current lease"));
        assertThat(results.get(1))
                .extractingByKey("error")
                .isEqualTo(Map.of("code", "not_found", "detail", "task " + unknown + " not found"));
        assertThat(results.get(3))
                .extractingByKey("error")
                .isEqualTo(Map.of("code", "lease_lost", "detail", "task " + cancelled + " was cancelled"));
        assertThat(user.task(good)).containsEntry("status", "complete");
        assertThat(user.task(stale)).containsEntry("status", "in_progress");
        assertThat(user.task(cancelled)).containsEntry("status", "cancelled");
        // good captured (2), stale still held (3), cancelled released
        assertThat(user.account()).containsEntry("balance", 8).containsEntry("held", 3);
        assertThat(count("SELECT count(*) FROM credit_ledger WHERE kind = 'capture' AND task_id IN "
                        + in(List.of(stale, cancelled))))
                .isZero();

        // The stale task's real lease still completes it afterwards.
        completeBatch(List.of(item(stale, leases.get(stale))))
                .statusCode(200)
                .body("results[0].outcome", is("complete"));
        assertThat(user.account()).containsEntry("balance", 5).containsEntry("held", 0);
    }

    @Test
    void aBatchThatAsksForOutcomesOnlyIsAnsweredWithoutTasksAndCompletesAsUsual() {
        Fixtures.User user = Fixtures.user(10);
        String a = user.createTask("single_image", Map.of("prompt", "a"));
        String b = user.createTask("single_image", Map.of("prompt", "b"));
        Map<String, String> leases = claimAll();
        String stale = UUID.randomUUID().toString();

        List<Map<String, Object>> results = worker().body(Map.of(
                        "workerId",
                        "wb",
                        "returnTasks",
                        false,
                        "tasks",
                        List.of(item(a, leases.get(a)), item(b, stale))))
                .post("/v1/worker/complete")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("results");

        assertThat(results).extracting(r -> r.get("outcome")).containsExactly("complete", "lease_lost");
        assertThat(results).allSatisfy(r -> assertThat(r).doesNotContainKey("task"));
        assertThat(results.get(1)).containsKey("error");
        assertThat(user.task(a)).containsEntry("status", "complete");
        assertThat(user.task(b)).containsEntry("status", "in_progress");
        assertThat(user.account()).containsEntry("balance", 9).containsEntry("held", 1);
        // Without the flag a repeat answers the stored task, as before.
        completeBatch(List.of(item(a, leases.get(a))))
                .statusCode(200)
                .body("results[0].outcome", is("complete"))
                .body("results[0].task.id", is(a));
        // Not a boolean: refused as a whole, nothing completed.
        worker().body(Map.of("workerId", "wb", "returnTasks", "no", "tasks", List.of(item(b, leases.get(b)))))
                .post("/v1/worker/complete")
                .then()
                .statusCode(422)
                .body("code", is("validation_failed"));
        assertThat(user.task(b)).containsEntry("status", "in_progress");
    }

    @Test
    void completingTheLastDependenciesInOneBatchQueuesTheirDependentOnce() {
        Fixtures.User user = Fixtures.user(10);
        String a = user.createTask("single_image", Map.of("prompt", "a"));
        String b = user.createTask("single_image", Map.of("prompt", "b"));
        try (KafkaLog log = new KafkaLog(Topics.TASK_EVENTS)) {
            String c = user.api()
                    .body(Map.of(
                            "projectId",
                            user.projectId(),
                            "taskType",
                            "single_image",
                            "params",
                            Map.of("prompt", "c"),
                            "dependsOn",
                            List.of(a, b)))
                    .post("/v1/tasks")
                    .then()
                    .statusCode(201)
                    .extract()
                    .path("id");
            String d = user.api()
                    .body(Map.of(
                            "projectId",
                            user.projectId(),
                            "taskType",
                            "single_image",
                            "params",
                            Map.of("prompt", "d"),
                            "dependsOn",
                            List.of(c)))
                    .post("/v1/tasks")
                    .then()
                    .statusCode(201)
                    .extract()
                    .path("id");
            Map<String, String> leases = claimAll();
            assertThat(leases).containsOnlyKeys(a, b);

            completeBatch(List.of(item(a, leases.get(a)), item(b, leases.get(b))))
                    .statusCode(200)
                    .body("results.outcome", is(List.of("complete", "complete")));

            assertThat(user.task(c)).containsEntry("status", "queued");
            assertThat(user.task(d)).containsEntry("status", "waiting");
            log.await(seen -> log.about(c).stream().anyMatch(e -> e.type().equals(EventTypes.TASK_QUEUED))
                    && log.about(b).stream().anyMatch(e -> e.type().equals(EventTypes.TASK_COMPLETED)));
            assertThat(log.about(c))
                    .extracting(EventEnvelope::type)
                    .containsExactly(EventTypes.TASK_CREATED, EventTypes.TASK_QUEUED);
            assertThat(claimAll()).containsOnlyKeys(c);
        }
    }

    @Test
    void badEnvelopesAreRefusedAsAWholeAndChangeNothing() throws Exception {
        Fixtures.User user = Fixtures.user(10);
        String id = user.createTask("single_image", Map.of("prompt", "x"));
        String token = claimAll().get(id);
        Map<String, Object> good = item(id, token);
        Map<String, Object> noToken = new HashMap<>(item(UUID.randomUUID().toString(), null));
        noToken.remove("leaseToken");
        List<Map<String, Object>> tooMany = new ArrayList<>();
        tooMany.add(good);
        for (int i = 0; i < 100; i++) {
            tooMany.add(item(UUID.randomUUID().toString(), UUID.randomUUID().toString()));
        }
        Map<String, Object> longOutput = new HashMap<>(
                item(UUID.randomUUID().toString(), UUID.randomUUID().toString()));
        longOutput.put("outputLocation", "x".repeat(4097));
        long outboxBefore = count("SELECT count(*) FROM outbox");

        List<Map.Entry<String, List<Map<String, Object>>>> bad = List.of(
                Map.entry("tasks must hold 1 to 100 items", List.of()),
                Map.entry("tasks must hold 1 to 100 items", tooMany),
                Map.entry("tasks[1].taskId " + id + " appears more than once", List.of(good, good)),
                Map.entry("tasks[1].leaseToken is required", List.of(good, noToken)),
                Map.entry("tasks[1].outputLocation must be at most 4096 characters", List.of(good, longOutput)));
        for (Map.Entry<String, List<Map<String, Object>>> e : bad) {
            completeBatch(e.getValue())
                    .statusCode(422)
                    .contentType("application/problem+json")
                    .body("code", is("validation_failed"))
                    .body("detail", is(e.getKey()));
        }
        worker().body(Map.of("tasks", List.of(good)))
                .post("/v1/worker/complete")
                .then()
                .statusCode(422)
                .body("code", is("validation_failed"))
                .body("detail", is("workerId is required (at most 200 characters)"));
        worker().body(Map.of("workerId", "wb"))
                .post("/v1/worker/complete")
                .then()
                .statusCode(422)
                .body("code", is("validation_failed"));
        worker().body(Map.of("workerId", "wb", "tasks", List.of(Map.of("taskId", "not-a-uuid", "leaseToken", token))))
                .post("/v1/worker/complete")
                .then()
                .statusCode(422)
                .body("code", is("validation_failed"));
        worker().body("{\"workerId\":\"wb\",\"tasks\":[")
                .post("/v1/worker/complete")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("code", is("malformed_json"));
        user.api()
                .body(Map.of("workerId", "wb", "tasks", List.of(good)))
                .post("/v1/worker/complete")
                .then()
                .statusCode(403)
                .body("code", is("forbidden"));

        assertThat(user.task(id)).containsEntry("status", "in_progress");
        assertThat(user.account()).containsEntry("held", 1).containsEntry("balance", 10);
        assertThat(count("SELECT count(*) FROM outbox")).isEqualTo(outboxBefore);
    }

    @Test
    void theSingleCompleteSharesTheBatchPathAndKeepsItsAnswers() {
        Fixtures.User user = Fixtures.user(10);
        String id = user.createTask("single_image", Map.of("prompt", "s", "num_images", 4));
        String token = claimAll().get(id);
        Map<String, Object> body = Map.of("workerId", "wb", "leaseToken", token, "outputLocation", "http://o/s.png");
        worker().body(Map.of("workerId", "wb", "leaseToken", UUID.randomUUID().toString()))
                .post("/v1/worker/tasks/" + id + "/complete")
                .then()
                .statusCode(409)
                .body("code", is("lease_lost"));
        worker().body(body)
                .post("/v1/worker/tasks/" + UUID.randomUUID() + "/complete")
                .then()
                .statusCode(404)
                .body("code", is("not_found"));
        worker().body(body)
                .post("/v1/worker/tasks/" + id + "/complete")
                .then()
                .statusCode(200)
                .body("status", is("complete"));
        worker().body(body)
                .post("/v1/worker/tasks/" + id + "/complete")
                .then()
                .statusCode(200)
                .body("outputLocation", is("http://o/s.png"));
        // the batch endpoint sees the same task as already completed with this lease
        completeBatch(List.of(item(id, token)))
                .statusCode(200)
                .body("results[0].outcome", is("complete"))
                .body("results[0].task.outputLocation", is("http://o/s.png"));
        assertThat(user.account()).containsEntry("balance", 6).containsEntry("held", 0);
    }
}
