package dev.conveyor.taskapi;

import static dev.conveyor.taskapi.Fixtures.queryLong;
import static dev.conveyor.taskapi.Fixtures.worker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;

import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.taskapi.messaging.PgSignals;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** POST /v1/worker/tasks/{id}/release: back to queued at once, the attempt given back, credits still held, fenced by the lease. */
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class ReleaseTest {

    @Inject
    PgSignals signals;

    @BeforeEach
    void isolate() throws Exception {
        Fixtures.isolateQueue();
    }

    /** Claims one single_image task as {@code workerId}: [id, leaseToken]. */
    private static String[] claimOne(String workerId, int waitSeconds) {
        Map<String, Object> t = TaskTypeRoutingTest.claim(workerId, List.of(), List.of("single_image"), 1, waitSeconds)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getMap("tasks[0]");
        assertThat(t).as("a task was claimed").isNotNull();
        return new String[] {(String) t.get("id"), (String) t.get("leaseToken")};
    }

    private static ValidatableResponse release(String id, String workerId, String token) {
        return worker().body(Map.of("workerId", workerId, "leaseToken", token))
                .post("/v1/worker/tasks/" + id + "/release")
                .then();
    }

    @Test
    void aReleasedTaskIsQueuedAtOnceWithItsAttemptGivenBackAndItsCreditsStillHeld() throws Exception {
        Fixtures.User user = Fixtures.user(10);
        String id = user.createTask("single_image", Map.of("prompt", "hand me back"));
        String[] claimed = claimOne("rel-1", 0);
        assertThat(user.task(id)).containsEntry("attempts", 1);

        Map<String, Object> released = release(id, "rel-1", claimed[1])
                .statusCode(200)
                .extract()
                .jsonPath()
                .getMap("");

        assertThat(released)
                .containsEntry("id", id)
                .containsEntry("status", "queued")
                .containsEntry("attempts", 0)
                .doesNotContainKey("leaseToken");
        assertThat(Instant.parse((String) released.get("runAfter")))
                .isBeforeOrEqualTo(Instant.parse((String) released.get("updatedAt")));
        assertThat(user.task(id)).containsEntry("status", "queued").containsEntry("attempts", 0);
        assertThat(user.account()).containsEntry("held", 1).containsEntry("balance", 10);
        assertThat(queryLong("SELECT count(*) FROM credit_ledger WHERE task_id = '" + id + "'"))
                .isEqualTo(1); // the hold only
        assertThat(queryLong(
                        "SELECT count(*) FROM outbox WHERE payload LIKE '%\"type\":\"task.requeued\"%' AND payload LIKE '%"
                                + id + "%' AND payload LIKE '%\"attempts\":0%'"))
                .isEqualTo(1);
        assertThat(queryLong("SELECT count(*) FROM tasks WHERE id = '" + id + "' AND lease_expires_at IS NULL"))
                .isEqualTo(1);
        // the lease is over: heartbeat and complete with it are refused
        worker().body(Map.of("workerId", "rel-1", "leaseToken", claimed[1]))
                .post("/v1/worker/tasks/" + id + "/heartbeat")
                .then()
                .statusCode(409)
                .body("code", is("lease_lost"));
        worker().body(Map.of("workerId", "rel-1", "leaseToken", claimed[1], "outputLocation", "late"))
                .post("/v1/worker/tasks/" + id + "/complete")
                .then()
                .statusCode(409)
                .body("code", is("lease_lost"));
    }

    @Test
    void releasingOverAndOverNeverUsesUpTheTasksAttempts() {
        Fixtures.User user = Fixtures.user(10);
        String id = user.createTask("single_image", Map.of("prompt", "a rolling deploy"));
        for (int i = 0; i < 5; i++) { // maxAttempts is 3
            String[] claimed = claimOne("deploy-" + i, 0);
            assertThat(claimed[0]).isEqualTo(id);
            release(id, "deploy-" + i, claimed[1])
                    .statusCode(200)
                    .body("status", is("queued"))
                    .body("attempts", is(0));
        }
        String[] last = claimOne("finisher", 0);
        worker().body(Map.of("workerId", "finisher", "leaseToken", last[1], "outputLocation", "http://o/x.png"))
                .post("/v1/worker/tasks/" + id + "/complete")
                .then()
                .statusCode(200)
                .body("status", is("complete"))
                .body("attempts", is(1));
        assertThat(user.account()).containsEntry("held", 0).containsEntry("balance", 9);
    }

    @Test
    void aWorkerWaitingOnALongPollGetsAReleasedTaskAtOnce() {
        Fixtures.User user = Fixtures.user(10);
        String id = user.createTask("single_image", Map.of("prompt", "next one please"));
        String[] claimed = claimOne("stopping", 0);
        CompletableFuture<String[]> waiting = CompletableFuture.supplyAsync(() -> claimOne("taker", 25));
        await().atMost(Duration.ofSeconds(10)).until(() -> signals.waiting() > 0);

        release(id, "stopping", claimed[1]).statusCode(200);

        await().atMost(Duration.ofSeconds(5)).until(waiting::isDone);
        assertThat(waiting.join()[0]).isEqualTo(id);
        assertThat(user.task(id))
                .containsEntry("status", "in_progress")
                .containsEntry("workerId", "taker")
                .containsEntry("attempts", 1);
    }

    @Test
    void releaseIsFencedByTheLeaseAndARepeatChangesNothing() throws Exception {
        Fixtures.User user = Fixtures.user(10);
        String id = user.createTask("single_image", Map.of("prompt", "fenced"));
        String[] claimed = claimOne("owner", 0);
        String before = Fixtures.dbState();

        release(id, "owner", UUID.randomUUID().toString()).statusCode(409).body("code", is("lease_lost"));
        release(id, "not-the-owner", claimed[1]).statusCode(409).body("code", is("lease_lost"));
        release(UUID.randomUUID().toString(), "owner", claimed[1])
                .statusCode(404)
                .body("code", is("not_found"));
        release("nope", "owner", claimed[1]).statusCode(400).body("code", is("invalid_id"));
        worker().body(Map.of("workerId", "owner"))
                .post("/v1/worker/tasks/" + id + "/release")
                .then()
                .statusCode(422)
                .body("code", is("validation_failed"));
        worker().body(Map.of("leaseToken", claimed[1]))
                .post("/v1/worker/tasks/" + id + "/release")
                .then()
                .statusCode(422)
                .body("code", is("validation_failed"));
        user.api()
                .body(Map.of("workerId", "owner", "leaseToken", claimed[1]))
                .post("/v1/worker/tasks/" + id + "/release")
                .then()
                .statusCode(403)
                .body("code", is("forbidden"));
        assertThat(Fixtures.dbState()).isEqualTo(before);
        assertThat(user.task(id)).containsEntry("status", "in_progress").containsEntry("attempts", 1);

        Map<String, Object> first = release(id, "owner", claimed[1])
                .statusCode(200)
                .extract()
                .jsonPath()
                .getMap("");
        String afterRelease = Fixtures.dbState();
        // a repeat (say after a timeout): the stored task, nothing changed, no second event, no attempt given back
        // twice
        Map<String, Object> repeat = release(id, "owner", claimed[1])
                .statusCode(200)
                .extract()
                .jsonPath()
                .getMap("");
        assertThat(repeat)
                .containsEntry("attempts", 0)
                .containsEntry("status", "queued")
                .containsEntry("updatedAt", first.get("updatedAt"));
        assertThat(Fixtures.dbState()).isEqualTo(afterRelease);
        release(id, "not-the-owner", claimed[1]).statusCode(409).body("code", is("lease_lost"));

        // once another worker claimed it, the old lease is dead
        claimOne("next-owner", 0);
        release(id, "owner", claimed[1]).statusCode(409).body("code", is("lease_lost"));
        assertThat(user.task(id)).containsEntry("status", "in_progress").containsEntry("workerId", "next-owner");
    }

    @Test
    void aCancelledTaskCannotBeReleased() {
        Fixtures.User user = Fixtures.user(10);
        String id = user.createTask("single_image", Map.of("prompt", "cancel me"));
        String[] claimed = claimOne("c-owner", 0);
        user.api().post("/v1/tasks/" + id + "/cancel").then().statusCode(200);
        release(id, "c-owner", claimed[1]).statusCode(409).body("code", is("lease_lost"));
        assertThat(user.task(id)).containsEntry("status", "cancelled");
    }
}
