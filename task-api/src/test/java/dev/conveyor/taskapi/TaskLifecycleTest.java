package dev.conveyor.taskapi;

import static dev.conveyor.taskapi.Fixtures.claim;
import static dev.conveyor.taskapi.Fixtures.worker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import dev.conveyor.devstack.DevstackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class TaskLifecycleTest {

    @BeforeEach
    void isolate() throws Exception {
        Fixtures.isolateQueue();
    }

    @Test
    void aTaskIsCreatedClaimedHeartbeatenAndCompletedAndItsCostIsCaptured() {
        Fixtures.User user = Fixtures.user(10);
        String id = user.api()
                .body(Map.of(
                        "projectId",
                        user.projectId(),
                        "taskType",
                        "single_image",
                        "params",
                        Map.of("prompt", "fox", "num_images", 3, "shot_id", "5d6e0f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6")))
                .post("/v1/tasks")
                .then()
                .statusCode(201)
                .body("status", is("queued"))
                .body("cost", is(3))
                .body("attempts", is(0))
                .body("maxAttempts", is(3))
                .body("generationType", is("image"))
                .body("shotId", is("5d6e0f3a-1b2c-4d5e-8f90-a1b2c3d4e5f6"))
                .body("leaseToken", nullValue())
                .extract()
                .path("id");
        assertThat(user.account())
                .containsEntry("balance", 10)
                .containsEntry("held", 3)
                .containsEntry("available", 7);

        Map<String, Object> claimed = claim("w-1", List.of(), 5, 0)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getMap("tasks[0]");
        assertThat(claimed)
                .containsEntry("id", id)
                .containsEntry("status", "in_progress")
                .containsEntry("attempts", 1)
                .containsEntry("workerId", "w-1")
                .containsKey("leaseToken")
                .containsKey("leaseExpiresAt");
        String token = (String) claimed.get("leaseToken");

        worker().body(Map.of("workerId", "w-1", "leaseToken", token, "progress", 40, "message", "step 4/10"))
                .post("/v1/worker/tasks/" + id + "/heartbeat")
                .then()
                .statusCode(200)
                .body("cancelled", is(false));
        assertThat(user.task(id)).containsEntry("progress", 40).containsEntry("progressMessage", "step 4/10");

        worker().body(Map.of(
                        "workerId",
                        "w-1",
                        "leaseToken",
                        token,
                        "outputLocation",
                        "http://out/1.png",
                        "metadata",
                        Map.of("w", 64)))
                .post("/v1/worker/tasks/" + id + "/complete")
                .then()
                .statusCode(200)
                .body("status", is("complete"))
                .body("outputLocation", is("http://out/1.png"))
                .body("metadata.w", is(64));
        assertThat(user.account())
                .containsEntry("balance", 7)
                .containsEntry("held", 0)
                .containsEntry("available", 7);

        // the same completion again (a retried HTTP call) is accepted and changes nothing
        worker().body(Map.of(
                        "workerId", "w-1", "leaseToken", token, "outputLocation", "http://other", "metadata", Map.of()))
                .post("/v1/worker/tasks/" + id + "/complete")
                .then()
                .statusCode(200)
                .body("outputLocation", is("http://out/1.png"));
        assertThat(user.account()).containsEntry("balance", 7).containsEntry("held", 0);
    }

    @Test
    void aStaleLeaseTokenIsRefusedWithLeaseLostAndChangesNothing() {
        Fixtures.User user = Fixtures.user(5);
        String id = user.createTask("single_image", Map.of("prompt", "a"));
        String token =
                claim("w-2", List.of(), 1, 0).then().statusCode(200).extract().path("tasks[0].leaseToken");
        String stale = UUID.randomUUID().toString();
        for (String action : List.of("heartbeat", "complete", "fail")) {
            worker().body(Map.of(
                            "workerId",
                            "w-2",
                            "leaseToken",
                            stale,
                            "outputLocation",
                            "x",
                            "error",
                            "e",
                            "retryable",
                            false))
                    .post("/v1/worker/tasks/" + id + "/" + action)
                    .then()
                    .statusCode(409)
                    .contentType("application/problem+json")
                    .body("code", is("lease_lost"));
        }
        assertThat(user.task(id)).containsEntry("status", "in_progress").containsEntry("outputLocation", null);
        worker().body(Map.of("workerId", "w-2", "leaseToken", token, "outputLocation", "ok", "metadata", Map.of()))
                .post("/v1/worker/tasks/" + id + "/complete")
                .then()
                .statusCode(200);
    }

    @Test
    void aRetryableFailureRequeuesWithBackoffAndTheLastAttemptFailsFinallyReleasingCredits() {
        Fixtures.User user = Fixtures.user(5);
        String id = user.createTask("single_image", Map.of("prompt", "a"));
        for (int attempt = 1; attempt <= 3; attempt++) {
            int n = attempt;
            Instant before = Instant.now();
            String token = org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(15))
                    .until(
                            () -> claim("w-3", List.of(), 1, 2)
                                    .then()
                                    .statusCode(200)
                                    .extract()
                                    .<String>path("tasks[0].leaseToken"),
                            t -> t != null);
            Map<String, Object> after = worker().body(
                            Map.of("workerId", "w-3", "leaseToken", token, "error", "oom " + n, "retryable", true))
                    .post("/v1/worker/tasks/" + id + "/fail")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath()
                    .getMap("");
            assertThat(after).containsEntry("attempts", n).containsEntry("errorMessage", "oom " + n);
            if (n < 3) {
                assertThat(after).containsEntry("status", "queued");
                // backoff: base 2 s doubled per attempt, never below it, up to half again of jitter on top
                long minDelayMs = 2000L << (n - 1);
                long delayMs = java.time.Duration.between(
                                Instant.parse((String) after.get("updatedAt")),
                                Instant.parse((String) after.get("runAfter")))
                        .toMillis();
                assertThat(delayMs).isBetween(minDelayMs, minDelayMs * 3 / 2);
                assertThat(Instant.parse((String) after.get("runAfter")))
                        .isAfterOrEqualTo(before.plusMillis(minDelayMs));
                claim("w-3", List.of(), 1, 0).then().statusCode(200).body("tasks.size()", is(0));
            } else {
                assertThat(after).containsEntry("status", "failed");
            }
        }
        assertThat(user.account()).containsEntry("balance", 5).containsEntry("held", 0);
    }

    @Test
    void aNonRetryableFailureIsFinalAndRetryHoldsCreditsAgainAndQueuesIt() {
        Fixtures.User user = Fixtures.user(2);
        String id = user.createTask("single_image", Map.of("prompt", "a"));
        String token = claim("w-4", List.of(), 1, 0).then().extract().path("tasks[0].leaseToken");
        worker().body(Map.of("workerId", "w-4", "leaseToken", token, "error", "bad prompt", "retryable", false))
                .post("/v1/worker/tasks/" + id + "/fail")
                .then()
                .statusCode(200)
                .body("status", is("failed"));
        assertThat(user.account()).containsEntry("held", 0);
        user.api()
                .post("/v1/tasks/" + id + "/retry")
                .then()
                .statusCode(200)
                .body("status", is("queued"))
                .body("attempts", is(0));
        assertThat(user.account()).containsEntry("held", 1);
        user.api().post("/v1/tasks/" + id + "/retry").then().statusCode(409).body("code", is("task_not_retryable"));
    }

    @Test
    void cancellingReleasesTheHoldTellsTheWorkerAndASecondCancelIsAConflict() {
        Fixtures.User user = Fixtures.user(3);
        String id = user.createTask("single_image", Map.of("prompt", "a"));
        String token = claim("w-5", List.of(), 1, 0).then().extract().path("tasks[0].leaseToken");
        user.api().post("/v1/tasks/" + id + "/cancel").then().statusCode(200).body("status", is("cancelled"));
        assertThat(user.account()).containsEntry("held", 0).containsEntry("balance", 3);
        worker().body(Map.of("workerId", "w-5", "leaseToken", token))
                .post("/v1/worker/tasks/" + id + "/heartbeat")
                .then()
                .statusCode(200)
                .body("cancelled", is(true));
        worker().body(Map.of("workerId", "w-5", "leaseToken", token, "outputLocation", "x", "metadata", Map.of()))
                .post("/v1/worker/tasks/" + id + "/complete")
                .then()
                .statusCode(409)
                .body("code", is("lease_lost"));
        user.api()
                .post("/v1/tasks/" + id + "/cancel")
                .then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("code", is("task_final"));
        assertThat(user.account()).containsEntry("held", 0).containsEntry("balance", 3);
    }

    @Test
    void anIdempotencyKeyReturnsTheFirstTaskAndHoldsOnce() {
        Fixtures.User user = Fixtures.user(5);
        Map<String, Object> body = Map.of(
                "projectId",
                user.projectId(),
                "taskType",
                "single_image",
                "params",
                Map.of("prompt", "a"),
                "idempotencyKey",
                "k-1");
        String first = user.api()
                .body(body)
                .post("/v1/tasks")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        String second = user.api()
                .body(body)
                .post("/v1/tasks")
                .then()
                .statusCode(200)
                .header("Idempotent-Replayed", "true")
                .extract()
                .path("id");
        assertThat(second).isEqualTo(first);
        assertThat(user.account()).containsEntry("held", 1);
    }

    @Test
    void listingIsNewestFirstPaginatedAndFilteredAndCountsCarryAnETag() {
        Fixtures.User user = Fixtures.user(10);
        String a = user.createTask("single_image", Map.of("prompt", "a"));
        String b = user.createTask("single_image", Map.of("prompt", "b"));
        String c = user.createTask("single_image", Map.of("prompt", "c"));
        user.api().post("/v1/tasks/" + a + "/cancel").then().statusCode(200);
        user.api()
                .queryParam("limit", 2)
                .get("/v1/projects/" + user.projectId() + "/tasks")
                .then()
                .statusCode(200)
                .body("items.id", is(List.of(c, b)))
                .body("total", is(3))
                .body("page", is(1))
                .body("limit", is(2));
        user.api()
                .queryParam("limit", 2)
                .queryParam("page", 2)
                .get("/v1/projects/" + user.projectId() + "/tasks")
                .then()
                .body("items.id", is(List.of(a)));
        user.api()
                .queryParam("status", "cancelled")
                .get("/v1/projects/" + user.projectId() + "/tasks")
                .then()
                .body("items.id", is(List.of(a)))
                .body("total", is(1));

        String etag = user.api()
                .get("/v1/projects/" + user.projectId() + "/task-status-counts")
                .then()
                .statusCode(200)
                .body("queued", is(2))
                .body("cancelled", is(1))
                .body("inProgress", is(0))
                .extract()
                .header("ETag");
        assertThat(etag).isNotBlank();
        user.api()
                .header("If-None-Match", etag)
                .get("/v1/projects/" + user.projectId() + "/task-status-counts")
                .then()
                .statusCode(304);
        user.api().post("/v1/tasks/" + b + "/cancel").then().statusCode(200);
        user.api()
                .header("If-None-Match", etag)
                .get("/v1/projects/" + user.projectId() + "/task-status-counts")
                .then()
                .statusCode(200)
                .body("cancelled", is(2));
    }
}
