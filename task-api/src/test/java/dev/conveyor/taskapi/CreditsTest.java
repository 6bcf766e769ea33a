package dev.conveyor.taskapi;

import static dev.conveyor.taskapi.Fixtures.claim;
import static dev.conveyor.taskapi.Fixtures.queryLong;
import static dev.conveyor.taskapi.Fixtures.worker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.is;

import dev.conveyor.devstack.DevstackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class CreditsTest {

    @Test
    void fiftyParallelCreatesWithCreditsForTenCreateExactlyTenAndTheLedgerMatchesTheAccount() throws Exception {
        Fixtures.User user = Fixtures.user(10);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int n = i;
            answers.add(pool.submit(() -> user.api()
                    .body(Map.of(
                            "projectId",
                            user.projectId(),
                            "taskType",
                            "single_image",
                            "params",
                            Map.of("prompt", "p" + n)))
                    .post("/v1/tasks")
                    .then()
                    .extract()
                    .statusCode()));
        }
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> f : answers) {
            statuses.add(f.get());
        }
        pool.shutdown();
        assertThat(statuses.stream().filter(s -> s == 201).count()).isEqualTo(10);
        assertThat(statuses.stream().filter(s -> s == 402).count()).isEqualTo(40);
        assertThat(queryLong("SELECT count(*) FROM tasks WHERE user_id = '" + user.id() + "'"))
                .isEqualTo(10);
        assertThat(user.account())
                .containsEntry("balance", 10)
                .containsEntry("held", 10)
                .containsEntry("available", 0);
        assertLedgerMatches(user);
    }

    @Test
    void aCreateBeyondTheAvailableCreditsIsRefusedWith402AndChangesNothing() throws Exception {
        Fixtures.User user = Fixtures.user(2);
        user.api()
                .body(Map.of(
                        "projectId",
                        user.projectId(),
                        "taskType",
                        "single_image",
                        "params",
                        Map.of("prompt", "p", "num_images", 3)))
                .post("/v1/tasks")
                .then()
                .statusCode(402)
                .contentType("application/problem+json")
                .body("code", is("insufficient_credits"));
        assertThat(queryLong("SELECT count(*) FROM tasks WHERE user_id = '" + user.id() + "'"))
                .isZero();
        assertThat(user.account()).containsEntry("held", 0).containsEntry("balance", 2);
        Fixtures.User broke = Fixtures.user(0);
        broke.api()
                .body(Map.of(
                        "projectId", broke.projectId(), "taskType", "single_image", "params", Map.of("prompt", "p")))
                .post("/v1/tasks")
                .then()
                .statusCode(402)
                .body("code", is("insufficient_credits"));
    }

    @Test
    void theEstimateIsTheCostACreateHolds() {
        Fixtures.User user = Fixtures.user(100);
        user.api()
                .body(Map.of("taskType", "travel_orchestrator", "params", Fixtures.orchestrator(4)))
                .post("/v1/tasks/estimate")
                .then()
                .statusCode(200)
                .body("cost", is(15));
        user.api()
                .body(Map.of(
                        "projectId",
                        user.projectId(),
                        "taskType",
                        "travel_orchestrator",
                        "params",
                        Fixtures.orchestrator(4)))
                .post("/v1/tasks")
                .then()
                .statusCode(201)
                .body("cost", is(15));
        assertThat(user.account()).containsEntry("held", 15);
    }

    @Test
    void captureReleaseAndGrantsKeepTheLedgerEqualToTheAccount() throws Exception {
        Fixtures.isolateQueue();
        Fixtures.User user = Fixtures.user(10);
        String done = user.createTask("single_image", Map.of("prompt", "a", "num_images", 2));
        String cancelled = user.createTask("single_image", Map.of("prompt", "b", "num_images", 3));
        user.api().post("/v1/tasks/" + cancelled + "/cancel").then().statusCode(200);
        String token = claim("wc", List.of(), 1, 0).then().extract().path("tasks[0].leaseToken");
        worker().body(Map.of("workerId", "wc", "leaseToken", token, "outputLocation", "o", "metadata", Map.of()))
                .post("/v1/worker/tasks/" + done + "/complete")
                .then()
                .statusCode(200);
        Fixtures.grant(user.id(), 5);
        assertThat(user.account())
                .containsEntry("balance", 13)
                .containsEntry("held", 0)
                .containsEntry("available", 13);
        assertLedgerMatches(user);
    }

    private static void assertLedgerMatches(Fixtures.User user) throws Exception {
        String u = "'" + user.id() + "'";
        long balance = queryLong("SELECT balance FROM accounts WHERE user_id = " + u);
        long held = queryLong("SELECT held FROM accounts WHERE user_id = " + u);
        long ledgerBalance = queryLong(
                "SELECT coalesce(sum(CASE kind WHEN 'grant' THEN amount WHEN 'capture' THEN -amount ELSE 0 END), 0) "
                        + "FROM credit_ledger WHERE user_id = " + u);
        long ledgerHeld = queryLong(
                "SELECT coalesce(sum(CASE kind WHEN 'hold' THEN amount WHEN 'grant' THEN 0 ELSE -amount END), 0) "
                        + "FROM credit_ledger WHERE user_id = " + u);
        assertThat(ledgerBalance).isEqualTo(balance);
        assertThat(ledgerHeld).isEqualTo(held);
    }
}
