package dev.conveyor.taskapi;

import static dev.conveyor.taskapi.Fixtures.claim;
import static dev.conveyor.taskapi.Fixtures.queryString;
import static dev.conveyor.taskapi.Fixtures.worker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.is;

import dev.conveyor.devstack.DevstackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The lease belongs to the worker that claimed the task: the right token with another workerId is lease_lost and changes nothing. */
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class LeaseOwnershipTest {

    @BeforeEach
    void isolate() throws Exception {
        Fixtures.isolateQueue();
    }

    @Test
    void anotherWorkerWithTheRightLeaseTokenIsRefusedByEveryVerbAndChangesNothing() throws Exception {
        Fixtures.User user = Fixtures.user(10);
        String id = user.createTask("single_image", Map.of("prompt", "mine"));
        String token = claim("owner-1", List.of(), 1, 0)
                .then()
                .statusCode(200)
                .extract()
                .path("tasks[0].leaseToken");
        String lease = queryString("SELECT lease_expires_at::text FROM tasks WHERE id = '" + id + "'");
        String before = Fixtures.dbState();
        Map<String, Object> item = Map.of("taskId", id, "leaseToken", token, "outputLocation", "http://thief/x.png");

        worker().body(Map.of("workerId", "thief", "leaseToken", token, "progress", 90, "message", "mine now"))
                .post("/v1/worker/tasks/" + id + "/heartbeat")
                .then()
                .statusCode(409)
                .body("code", is("lease_lost"));
        worker().body(Map.of("workerId", "thief", "leaseToken", token, "outputLocation", "http://thief/x.png"))
                .post("/v1/worker/tasks/" + id + "/complete")
                .then()
                .statusCode(409)
                .body("code", is("lease_lost"));
        worker().body(Map.of("workerId", "thief", "tasks", List.of(item)))
                .post("/v1/worker/complete")
                .then()
                .statusCode(200)
                .body("results[0].outcome", is("lease_lost"))
                .body("results[0].error.code", is("lease_lost"));
        worker().body(Map.of("workerId", "thief", "leaseToken", token, "error", "nope", "retryable", false))
                .post("/v1/worker/tasks/" + id + "/fail")
                .then()
                .statusCode(409)
                .body("code", is("lease_lost"));
        worker().body(Map.of("workerId", "thief", "leaseToken", token))
                .post("/v1/worker/tasks/" + id + "/release")
                .then()
                .statusCode(409)
                .body("code", is("lease_lost"));

        assertThat(Fixtures.dbState()).isEqualTo(before);
        assertThat(queryString("SELECT lease_expires_at::text FROM tasks WHERE id = '" + id + "'"))
                .isEqualTo(lease);
        assertThat(user.task(id))
                .containsEntry("status", "in_progress")
                .containsEntry("workerId", "owner-1")
                .containsEntry("attempts", 1)
                .containsEntry("progress", null);

        // the owner still holds it
        worker().body(Map.of("workerId", "owner-1", "leaseToken", token, "progress", 50))
                .post("/v1/worker/tasks/" + id + "/heartbeat")
                .then()
                .statusCode(200)
                .body("cancelled", is(false));
        worker().body(Map.of("workerId", "owner-1", "leaseToken", token, "outputLocation", "http://owner/x.png"))
                .post("/v1/worker/tasks/" + id + "/complete")
                .then()
                .statusCode(200)
                .body("status", is("complete"));
        // a repeat is the owner's alone
        worker().body(Map.of("workerId", "thief", "leaseToken", token, "outputLocation", "http://thief/x.png"))
                .post("/v1/worker/tasks/" + id + "/complete")
                .then()
                .statusCode(409)
                .body("code", is("lease_lost"));
        worker().body(Map.of("workerId", "thief", "tasks", List.of(item)))
                .post("/v1/worker/complete")
                .then()
                .statusCode(200)
                .body("results[0].outcome", is("lease_lost"));
        assertThat(user.task(id)).containsEntry("outputLocation", "http://owner/x.png");
    }

    @Test
    void aRepeatedFailIsTheOwnersAlone() {
        Fixtures.User user = Fixtures.user(10);
        String id = user.createTask("single_image", Map.of("prompt", "fail once"));
        String token = claim("owner-2", List.of(), 1, 0)
                .then()
                .statusCode(200)
                .extract()
                .path("tasks[0].leaseToken");
        worker().body(Map.of("workerId", "owner-2", "leaseToken", token, "error", "bad", "retryable", false))
                .post("/v1/worker/tasks/" + id + "/fail")
                .then()
                .statusCode(200)
                .body("status", is("failed"));
        worker().body(Map.of("workerId", "owner-2", "leaseToken", token, "error", "bad", "retryable", false))
                .post("/v1/worker/tasks/" + id + "/fail")
                .then()
                .statusCode(200)
                .body("status", is("failed"));
        worker().body(Map.of("workerId", "thief", "leaseToken", token, "error", "bad", "retryable", false))
                .post("/v1/worker/tasks/" + id + "/fail")
                .then()
                .statusCode(409)
                .body("code", is("lease_lost"));
    }
}
