package dev.conveyor.taskapi;

import static dev.conveyor.taskapi.Fixtures.queryString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;

import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.taskapi.messaging.PgSignals;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A claim's taskTypes: only those types (and only what the capabilities allow), in a plain claim and in a long-poll. */
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class TaskTypeRoutingTest {

    @Inject
    PgSignals signals;

    @BeforeEach
    void isolate() throws Exception {
        Fixtures.isolateQueue();
    }

    static Response claim(
            String workerId, List<String> capabilities, List<String> taskTypes, int max, int waitSeconds) {
        Map<String, Object> body = new HashMap<>(
                Map.of("workerId", workerId, "capabilities", capabilities, "max", max, "waitSeconds", waitSeconds));
        body.put("taskTypes", taskTypes);
        return Fixtures.worker().body(body).post("/v1/worker/claim");
    }

    static List<String> ids(Response r) {
        return r.then().statusCode(200).extract().jsonPath().getList("tasks.id", String.class);
    }

    @Test
    void aStitchOnlyWorkerNeverGetsSingleImageTasks() {
        Fixtures.User user = Fixtures.user(100);
        String image = user.createTask("single_image", Map.of("prompt", "p"));
        String stitch = user.createTask("travel_stitch", Map.of());

        assertThat(ids(claim("stitcher", List.of("wan2gp"), List.of("travel_stitch"), 10, 0)))
                .containsExactly(stitch);
        assertThat(ids(claim("stitcher", List.of("wan2gp"), List.of("travel_stitch"), 10, 0)))
                .isEmpty();
        assertThat(user.task(image)).containsEntry("status", "queued").containsEntry("attempts", 0);
        // without taskTypes: every type the capabilities allow (as before)
        assertThat(ids(claim("any", List.of("wan2gp"), null, 10, 0))).containsExactly(image);
    }

    @Test
    void taskTypesNarrowButNeverWidenWhatTheCapabilitiesAllow() {
        Fixtures.User user = Fixtures.user(100);
        String segment = user.createTask("travel_segment", Map.of());
        // names a wan2gp type without the capability: nothing
        assertThat(ids(claim("no-cap", List.of(), List.of("travel_segment"), 10, 0)))
                .isEmpty();
        // an empty list claims nothing; a name task-api does not know matches no task
        assertThat(ids(claim("empty", List.of("wan2gp"), List.of(), 10, 0))).isEmpty();
        assertThat(ids(claim("unknown", List.of("wan2gp"), List.of("not_a_type"), 10, 0)))
                .isEmpty();
        assertThat(ids(claim("seg", List.of("wan2gp"), List.of("not_a_type", "travel_segment"), 10, 0)))
                .containsExactly(segment);
    }

    @Test
    void aLongPollingStitchOnlyClaimIsNotHandedASingleImageTaskButWakesForAStitch() {
        Fixtures.User user = Fixtures.user(100);
        CompletableFuture<List<String>> waiting = CompletableFuture.supplyAsync(
                () -> ids(claim("lp-stitch", List.of("wan2gp"), List.of("travel_stitch"), 5, 3)));
        await().atMost(Duration.ofSeconds(10)).until(() -> signals.waiting() > 0);
        String image = user.createTask("single_image", Map.of("prompt", "not for a stitcher"));

        assertThat(waiting.join()).isEmpty();
        assertThat(user.task(image)).containsEntry("status", "queued");

        CompletableFuture<List<String>> second = CompletableFuture.supplyAsync(
                () -> ids(claim("lp-stitch", List.of("wan2gp"), List.of("travel_stitch"), 5, 25)));
        await().atMost(Duration.ofSeconds(10)).until(() -> signals.waiting() > 0);
        String stitch = user.createTask("travel_stitch", Map.of());
        // returns long before its 25 s wait ends, with the stitch only
        await().atMost(Duration.ofSeconds(5)).until(second::isDone);
        assertThat(second.join()).containsExactly(stitch);
        assertThat(user.task(image)).containsEntry("status", "queued");
    }

    @Test
    void aWaitOnlyWakesForItsOwnTypes() {
        Fixtures.User user = Fixtures.user(100);
        java.util.Set<String> stitchOnly = java.util.Set.of("travel_stitch");
        long seen = signals.queuedSignals(stitchOnly);
        long images = signals.queuedSignals(java.util.Set.of("single_image"));
        user.createTask("single_image", Map.of("prompt", "someone else's"));
        // the single_image NOTIFY arrived (a wait for single_image would end at once) ...
        await().atMost(Duration.ofSeconds(5))
                .until(() -> signals.queuedSignals(java.util.Set.of("single_image")) > images);
        // ... but a wait for travel_stitch that began before it still waits its full time
        assertThat(signals.queuedSignals(stitchOnly)).isEqualTo(seen);
        assertThat(signals.awaitQueued(stitchOnly, Duration.ofMillis(700), seen)
                        .await()
                        .atMost(Duration.ofSeconds(5)))
                .isFalse();
    }

    @Test
    void theWorkerRegistryRecordsTheTypesEachWorkerCanClaim() throws Exception {
        ids(claim("reg-1", List.of("wan2gp"), List.of("travel_stitch", "single_image", "not_a_type"), 1, 0));
        ids(claim("reg-2", List.of(), null, 1, 0));
        assertThat(queryString("SELECT array_to_string(task_types, ',') FROM workers WHERE worker_id = 'reg-1'"))
                .isEqualTo("single_image,travel_stitch");
        String plain = queryString("SELECT array_to_string(task_types, ',') FROM workers WHERE worker_id = 'reg-2'");
        assertThat(plain.split(",")).contains("single_image").doesNotContain("travel_stitch");
    }

    @Test
    void badTaskTypesAreRefusedAndChangeNothing() throws Exception {
        Fixtures.User user = Fixtures.user(100);
        String image = user.createTask("single_image", Map.of("prompt", "p"));
        List<String> tooMany = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            tooMany.add("t" + i);
        }
        String before = Fixtures.dbState();
        for (List<String> bad :
                List.of(Arrays.asList("single_image", null), List.of(" "), List.of("x".repeat(201)), tooMany)) {
            claim("bad-types", List.of(), bad, 1, 0).then().statusCode(422).body("code", is("validation_failed"));
        }
        Fixtures.worker()
                .body("{\"workerId\":\"bad-types\",\"taskTypes\":\"single_image\"}")
                .post("/v1/worker/claim")
                .then()
                .statusCode(422)
                .body("code", is("validation_failed"));
        assertThat(Fixtures.dbState()).isEqualTo(before);
        assertThat(user.task(image)).containsEntry("status", "queued");
        assertThat(queryString("SELECT worker_id FROM workers WHERE worker_id = 'bad-types'"))
                .isNull();
    }
}
