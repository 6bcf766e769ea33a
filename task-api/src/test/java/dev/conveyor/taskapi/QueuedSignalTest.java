package dev.conveyor.taskapi;

import static dev.conveyor.taskapi.Fixtures.claim;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.taskapi.messaging.PgSignals;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Issue 15, "one wake-up reaches one worker": the database notifies once per transaction and task type it queued (V11:
 * a row trigger that only the rows becoming queued fire; PostgreSQL folds a transaction's identical notifications),
 * and task-api hands a notification to one waiting long-poll claim per type, not to all of them.
 */
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class QueuedSignalTest {

    @Inject
    PgSignals signals;

    @BeforeEach
    void isolate() throws Exception {
        Fixtures.isolateQueue();
    }

    @Test
    void oneStatementQueuingTasksOfTwoTypesSendsOneNotificationPerType() throws Exception {
        Fixtures.User user = Fixtures.user(100);
        String image = user.createTask("single_image", Map.of("prompt", "a"));
        String image2 = user.createTask("single_image", Map.of("prompt", "b"));
        String stitch = user.createTask("travel_stitch", Map.of());
        try (Connection listener = Fixtures.db();
                Statement s = listener.createStatement()) {
            s.execute("LISTEN " + PgSignals.TASK_QUEUED);
            // Not newly queued, run_after unchanged: nothing to say.
            Fixtures.execute("UPDATE tasks SET priority = priority WHERE id IN ('" + image + "', '" + stitch + "')");
            // Three queued rows of two types in one statement (their due time moves): one notification per type.
            Fixtures.execute("UPDATE tasks SET run_after = now() WHERE id IN ('" + image + "', '" + image2 + "', '"
                    + stitch + "')");
            List<String> payloads = notifications(listener);
            assertThat(payloads).containsExactlyInAnyOrder("single_image", "travel_stitch");
        }
    }

    @Test
    void aTransactionReleasingTasksOfOneTypeNotifiesOnce() throws Exception {
        Fixtures.User user = Fixtures.user(100);
        user.createTask("single_image", Map.of("prompt", "a"));
        user.createTask("single_image", Map.of("prompt", "b"));
        Fixtures.execute("UPDATE tasks SET status = 'in_progress' WHERE status = 'queued'");
        try (Connection listener = Fixtures.db();
                Statement s = listener.createStatement()) {
            s.execute("LISTEN " + PgSignals.TASK_QUEUED);
            Fixtures.execute("UPDATE tasks SET status = 'queued' WHERE status = 'in_progress'");
            assertThat(notifications(listener)).containsExactly("single_image");
        }
    }

    @Test
    void aStatementTakingTasksOutOfTheQueueOrQueuingOneOfThemAgainSaysOnlyWhatBecameQueued() throws Exception {
        Fixtures.User user = Fixtures.user(100);
        String image = user.createTask("single_image", Map.of("prompt", "a"));
        String stitch = user.createTask("travel_stitch", Map.of());
        try (Connection listener = Fixtures.db();
                Statement s = listener.createStatement()) {
            s.execute("LISTEN " + PgSignals.TASK_QUEUED);
            // a claim-like update: queued -> in_progress, nothing became queued
            Fixtures.execute("UPDATE tasks SET status = 'in_progress' WHERE id IN ('" + image + "', '" + stitch + "')");
            // one statement: the image task back to queued, the stitch task stays in progress (only the image's row
            // meets the trigger's WHEN)
            Fixtures.execute("UPDATE tasks SET status = CASE WHEN id = '" + image + "' THEN 'queued' ELSE status END "
                    + "WHERE id IN ('" + image + "', '" + stitch + "')");
            assertThat(notifications(listener)).containsExactly("single_image");
        }
    }

    @Test
    void aQueuedTaskWakesOneOfThreeWaitingClaimsAndTheNextTasksWakeTheOthersOneByOne() {
        Fixtures.User user = Fixtures.user(100);
        long wokenBefore = signals.wokenClaims();
        List<CompletableFuture<List<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String worker = "herd-" + i;
            waiting.add(CompletableFuture.supplyAsync(() -> ids(claim(worker, List.of(), 5, 25))));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> signals.waiting() == 3);

        String first = user.createTask("single_image", Map.of("prompt", "for one of three"));
        await().atMost(Duration.ofSeconds(10)).until(() -> waiting.stream().anyMatch(CompletableFuture::isDone));
        // one claim was woken, not three (the others go on waiting: nothing else was queued)
        assertThat(signals.wokenClaims() - wokenBefore).isEqualTo(1);
        assertThat(waiting.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join))
                .containsExactly(List.of(first));

        String second = user.createTask("single_image", Map.of("prompt", "for the next"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> waiting.stream().filter(CompletableFuture::isDone).count() == 2);
        String third = user.createTask("single_image", Map.of("prompt", "for the last"));
        await().atMost(Duration.ofSeconds(10)).until(() -> waiting.stream().allMatch(CompletableFuture::isDone));
        assertThat(waiting.stream().map(CompletableFuture::join))
                .containsExactlyInAnyOrder(List.of(first), List.of(second), List.of(third));
        assertThat(signals.wokenClaims() - wokenBefore).isEqualTo(3);
    }

    @Test
    void aWokenClaimThatComesBackFullPassesTheWakeUpToTheNextWaitingClaim() {
        Fixtures.User user = Fixtures.user(100);
        long wokenBefore = signals.wokenClaims();
        List<CompletableFuture<List<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String worker = "relay-" + i;
            waiting.add(CompletableFuture.supplyAsync(() -> ids(claim(worker, List.of(), 1, 25))));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> signals.waiting() == 2);

        // two tasks in one transaction: one notification; the woken claim (max 1) is full and passes it on
        user.api()
                .body(Map.of("tasks", List.of(item(user, "x"), item(user, "y"))))
                .post("/v1/tasks/batch")
                .then()
                .statusCode(201);
        await().atMost(Duration.ofSeconds(10)).until(() -> waiting.stream().allMatch(CompletableFuture::isDone));
        assertThat(waiting.stream().map(f -> f.join().size())).containsExactly(1, 1);
        assertThat(waiting.get(0).join())
                .doesNotContainAnyElementsOf(waiting.get(1).join());
        // both were woken (the second by the first's full answer), neither found its task by a timed re-check
        assertThat(signals.wokenClaims() - wokenBefore).isEqualTo(2);
    }

    private static Map<String, Object> item(Fixtures.User user, String prompt) {
        return Map.of("projectId", user.projectId(), "taskType", "single_image", "params", Map.of("prompt", prompt));
    }

    /** The notifications that arrive: at least one, then whatever else came with it within half a second. */
    private static List<String> notifications(Connection listener) throws Exception {
        PGConnection pg = listener.unwrap(PGConnection.class);
        List<String> payloads = new ArrayList<>();
        for (int i = 0; i < 50 && payloads.isEmpty(); i++) {
            collect(pg.getNotifications(200), payloads);
        }
        collect(pg.getNotifications(500), payloads);
        return payloads;
    }

    private static void collect(PGNotification[] got, List<String> into) {
        if (got != null) {
            for (PGNotification n : got) {
                into.add(n.getParameter());
            }
        }
    }

    private static List<String> ids(io.restassured.response.Response r) {
        return r.then().statusCode(200).extract().jsonPath().getList("tasks.id", String.class);
    }
}
