package dev.conveyor.taskapi;

import static dev.conveyor.taskapi.Fixtures.execute;
import static dev.conveyor.taskapi.Fixtures.queryLong;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;

import dev.conveyor.devstack.DevstackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Queued tasks no worker can claim (test profile: conveyor.stalled.after=1h, expire-after=1d; test_orphan needs the
 * capability "orphan", which no test worker has). Tasks are made old by moving their times back.
 */
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class StalledTasksTest {

    @BeforeEach
    void isolate() throws Exception {
        Fixtures.isolateQueue();
        execute("DELETE FROM workers WHERE 'test_orphan' = ANY(task_types)");
    }

    private static void age(String id, String interval) throws Exception {
        execute("UPDATE tasks SET run_after = now() - interval '" + interval + "', created_at = now() - interval '"
                + interval + "' WHERE id = '" + id + "'");
    }

    private static JsonPath stalled(String query) {
        return Fixtures.admin()
                .get("/v1/admin/stalled-tasks" + query)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    @Test
    void aQueuedTaskThatNoWorkerCanClaimIsListedForAdminsWithItsTypeCountAndAge() throws Exception {
        Fixtures.User user = Fixtures.user(100);
        String old = user.createTask("test_orphan", Map.of());
        String fresh = user.createTask("test_orphan", Map.of());
        String claimable = user.createTask("single_image", Map.of("prompt", "someone runs me"));
        age(old, "2 hours");
        age(claimable, "2 hours");
        TaskTypeRoutingTest.claim("plain", List.of(), null, 1, 0)
                .then()
                .statusCode(200); // a worker that runs single_image
        execute("UPDATE tasks SET status = 'queued', run_after = now() - interval '2 hours' WHERE id = '" + claimable
                + "'");

        JsonPath all = stalled("");
        assertThat(all.getList("types.taskType", String.class)).containsExactly("test_orphan");
        assertThat(all.getLong("types[0].count")).isEqualTo(1);
        assertThat(all.getString("types[0].oldestCreatedAt"))
                .isEqualTo(user.task(old).get("createdAt"));
        assertThat(all.getList("items.id", String.class)).containsExactly(old).doesNotContain(fresh, claimable);
        assertThat(all.getLong("total")).isEqualTo(1);
        assertThat(all.getLong("stalledAfterSeconds")).isEqualTo(3600);
        assertThat(all.getLong("expireAfterSeconds")).isEqualTo(86_400);
        assertThat(stalled("?taskType=single_image").getList("items")).isEmpty();
        assertThat(stalled("?taskType=test_orphan&limit=1&page=1").getList("items.id", String.class))
                .containsExactly(old);
        assertThat(stalled("?taskType=test_orphan&page=2").getList("items")).isEmpty();

        user.api().get("/v1/admin/stalled-tasks").then().statusCode(403).body("code", is("forbidden"));
        Fixtures.worker().get("/v1/admin/stalled-tasks").then().statusCode(403).body("code", is("forbidden"));
        given().get("/v1/admin/stalled-tasks").then().statusCode(401).body("code", is("unauthorized"));
        Fixtures.admin()
                .get("/v1/admin/stalled-tasks?limit=0")
                .then()
                .statusCode(422)
                .body("code", is("validation_failed"));
        Fixtures.admin()
                .get("/v1/admin/stalled-tasks?page=x")
                .then()
                .statusCode(422)
                .body("code", is("validation_failed"));
    }

    @Test
    void onlyAWorkerThatCanClaimTheTypeEndsTheStall() throws Exception {
        Fixtures.User user = Fixtures.user(100);
        String old = user.createTask("test_orphan", Map.of());
        age(old, "2 hours");
        // has the capability but narrows its claims to other types: still nobody for test_orphan
        TaskTypeRoutingTest.claim("narrow", List.of("orphan"), List.of("single_image"), 1, 0)
                .then()
                .statusCode(200);
        assertThat(stalled("").getList("items.id", String.class)).containsExactly(old);
        // a worker that could claim it was seen recently (as its claim records it)
        execute("INSERT INTO workers (worker_id, capabilities, task_types, last_seen_at) "
                + "VALUES ('orphan-runner', '{orphan}', '{test_orphan}', now() - interval '5 minutes')");
        assertThat(stalled("").getList("items")).isEmpty();
        // ... but not for longer than conveyor.stalled.after
        execute("UPDATE workers SET last_seen_at = now() - interval '90 minutes' WHERE worker_id = 'orphan-runner'");
        assertThat(stalled("").getList("items.id", String.class)).containsExactly(old);
    }

    @Test
    void theGaugeCountsStalledTasksPerType() throws Exception {
        Fixtures.User user = Fixtures.user(100);
        for (int i = 0; i < 3; i++) {
            age(user.createTask("test_orphan", Map.of()), "2 hours");
        }
        user.createTask("test_orphan", Map.of()); // not stalled yet
        Pattern three = Pattern.compile("(?m)^conveyor_tasks_stalled\\{[^}]*type=\"test_orphan\"[^}]*} 3\\.0$");
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertThat(given().get("/q/metrics")
                                .then()
                                .statusCode(200)
                                .extract()
                                .asString())
                        .containsPattern(three));
        Pattern none = Pattern.compile("(?m)^conveyor_tasks_stalled\\{[^}]*type=\"single_image\"[^}]*} 0\\.0$");
        assertThat(given().get("/q/metrics").then().extract().asString()).containsPattern(none);
    }

    @Test
    void aTaskStalledLongerThanExpireAfterFailsWithNoWorkerAndItsCreditsAreReleased() throws Exception {
        Fixtures.User user = Fixtures.user(100);
        String expiring = user.createTask("test_orphan", Map.of());
        String staying = user.createTask("test_orphan", Map.of());
        String dependent = user.api()
                .body(Map.of(
                        "projectId",
                        user.projectId(),
                        "taskType",
                        "single_image",
                        "params",
                        Map.of("prompt", "after the orphan"),
                        "dependsOn",
                        List.of(expiring)))
                .post("/v1/tasks")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        assertThat(user.account()).containsEntry("held", 5);
        age(staying, "2 hours");
        age(expiring, "2 days");

        await().atMost(Duration.ofSeconds(15))
                .until(() -> "failed".equals(user.task(expiring).get("status")));

        Map<String, Object> failed = user.task(expiring);
        assertThat((String) failed.get("errorMessage"))
                .startsWith("no_worker: ")
                .contains("test_orphan")
                .contains("1h")
                .contains("1d");
        assertThat(failed.get("completedAt")).isNotNull();
        assertThat(user.task(staying)).containsEntry("status", "queued");
        assertThat(user.task(dependent)).containsEntry("status", "failed");
        assertThat(user.account()).containsEntry("held", 2).containsEntry("balance", 100);
        assertThat(queryLong("SELECT count(*) FROM credit_ledger WHERE task_id = '" + expiring
                        + "' AND kind = 'release' AND amount = 2"))
                .isEqualTo(1);
        assertThat(queryLong(
                        "SELECT count(*) FROM outbox WHERE payload LIKE '%\"type\":\"task.failed\"%' AND payload LIKE '%\"subject\":\""
                                + expiring + "\"%'"))
                .isEqualTo(1);
        assertThat(queryLong(
                        "SELECT count(*) FROM outbox WHERE payload LIKE '%\"type\":\"credits.changed\"%' AND payload LIKE '%"
                                + expiring + "%'"))
                .isGreaterThanOrEqualTo(2); // hold, release
        assertThat(stalled("").getList("items.id", String.class)).containsExactly(staying);
    }
}
