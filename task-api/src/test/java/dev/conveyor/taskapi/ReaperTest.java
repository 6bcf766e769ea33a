package dev.conveyor.taskapi;

import static dev.conveyor.taskapi.Fixtures.claim;
import static dev.conveyor.taskapi.Fixtures.worker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;

import dev.conveyor.devstack.DevstackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** test_short_lease (test profile): capability "test", lease 1 s, 2 attempts. */
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class ReaperTest {

    @BeforeEach
    void isolate() throws Exception {
        Fixtures.isolateQueue();
    }

    @Test
    void anExpiredLeaseIsRequeuedAndWhenAttemptsAreSpentTheTaskFailsAndItsCreditsAreReleased() {
        Fixtures.User user = Fixtures.user(5);
        String id = user.createTask("test_short_lease", Map.of());
        String firstToken =
                claim("dead-1", List.of("test"), 1, 0).then().extract().path("tasks[0].leaseToken");
        // the worker goes silent: the reaper puts the task back (the attempt counts)
        await().atMost(Duration.ofSeconds(10))
                .until(() -> "queued".equals(user.task(id).get("status")));
        assertThat(user.task(id))
                .containsEntry("attempts", 1)
                .containsEntry("errorMessage", "lease expired (worker dead-1)");
        // the old lease is gone for good
        worker().body(Map.of(
                        "workerId", "dead-1", "leaseToken", firstToken, "outputLocation", "late", "metadata", Map.of()))
                .post("/v1/worker/tasks/" + id + "/complete")
                .then()
                .statusCode(409)
                .body("code", is("lease_lost"));

        String second = claim("dead-2", List.of("test"), 1, 2).then().extract().path("tasks[0].id");
        assertThat(second).isEqualTo(id);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> "failed".equals(user.task(id).get("status")));
        assertThat(user.task(id)).containsEntry("attempts", 2);
        assertThat(user.account()).containsEntry("held", 0).containsEntry("balance", 5);
    }

    @Test
    void heartbeatsKeepTheLeaseAlive() {
        Fixtures.User user = Fixtures.user(5);
        String id = user.createTask("test_short_lease", Map.of());
        String token = claim("alive", List.of("test"), 1, 0).then().extract().path("tasks[0].leaseToken");
        long until = System.currentTimeMillis() + 3000;
        while (System.currentTimeMillis() < until) {
            worker().body(Map.of("workerId", "alive", "leaseToken", token))
                    .post("/v1/worker/tasks/" + id + "/heartbeat")
                    .then()
                    .statusCode(200)
                    .body("cancelled", is(false));
            await().pollDelay(Duration.ofMillis(300)).until(() -> true);
        }
        assertThat(user.task(id)).containsEntry("status", "in_progress").containsEntry("attempts", 1);
    }
}
