package dev.conveyor.taskapi;

import static dev.conveyor.taskapi.Fixtures.claim;
import static dev.conveyor.taskapi.Fixtures.queryString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.taskapi.messaging.PgSignals;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class ClaimTest {

    @Inject
    PgSignals signals;

    @BeforeEach
    void isolate() throws Exception {
        Fixtures.isolateQueue();
    }

    @Test
    void twoWorkersClaimingAtOnceGetDisjointTasksAndTogetherAllOfThem() throws Exception {
        Fixtures.User user = Fixtures.user(100);
        Set<String> created = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            created.add(user.createTask("single_image", Map.of("prompt", "p" + i)));
        }
        CompletableFuture<List<String>> a = CompletableFuture.supplyAsync(() -> claim("wa", List.of(), 15, 0)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("tasks.id", String.class));
        CompletableFuture<List<String>> b = CompletableFuture.supplyAsync(() -> claim("wb", List.of(), 15, 0)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("tasks.id", String.class));
        List<String> first = a.get();
        List<String> second = b.get();
        assertThat(first).doesNotContainAnyElementsOf(second);
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        assertThat(all).hasSize(20).containsExactlyInAnyOrderElementsOf(created);
    }

    @Test
    void capabilitiesRouteTaskTypesAndSingleImageNeedsNone() {
        Fixtures.User user = Fixtures.user(100);
        String image = user.createTask("single_image", Map.of("prompt", "p"));
        String segment = user.createTask("travel_segment", Map.of());
        assertThat(claim("plain", List.of(), 10, 0).then().extract().jsonPath().getList("tasks.id", String.class))
                .containsExactly(image);
        assertThat(claim("plain", List.of("other"), 10, 0)
                        .then()
                        .extract()
                        .jsonPath()
                        .getList("tasks.id", String.class))
                .isEmpty();
        assertThat(claim("gpu", List.of("wan2gp"), 10, 0)
                        .then()
                        .extract()
                        .jsonPath()
                        .getList("tasks.id", String.class))
                .containsExactly(segment);
    }

    @Test
    void higherPriorityIsClaimedFirst() {
        Fixtures.User user = Fixtures.user(100);
        String low = user.createTask("single_image", Map.of("prompt", "low"));
        String high = user.api()
                .body(Map.of(
                        "projectId",
                        user.projectId(),
                        "taskType",
                        "single_image",
                        "params",
                        Map.of("prompt", "hi"),
                        "priority",
                        10))
                .post("/v1/tasks")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        assertThat(claim("w", List.of(), 1, 0).then().extract().<String>path("tasks[0].id"))
                .isEqualTo(high);
        assertThat(claim("w", List.of(), 1, 0).then().extract().<String>path("tasks[0].id"))
                .isEqualTo(low);
    }

    @Test
    void anIdleLongPollingClaimReturnsAsSoonAsAMatchingTaskIsQueued() {
        Fixtures.User user = Fixtures.user(10);
        CompletableFuture<List<String>> waiting = CompletableFuture.supplyAsync(() -> claim("lp", List.of(), 5, 25)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("tasks.id", String.class));
        await().atMost(Duration.ofSeconds(10)).until(() -> signals.waiting() > 0);
        String id = user.createTask("single_image", Map.of("prompt", "now"));
        // returns long before its 25 s wait ends
        await().atMost(Duration.ofSeconds(5)).until(waiting::isDone);
        assertThat(waiting.join()).containsExactly(id);
    }

    @Test
    void aLongPollWhoseWorkerHungUpClaimsNothing() throws Exception {
        Fixtures.User user = Fixtures.user(10);
        String body = "{\"workerId\":\"gone\",\"capabilities\":[],\"max\":5,\"waitSeconds\":25}";
        try (Socket socket = new Socket("localhost", RestAssured.port)) {
            socket.getOutputStream()
                    .write(("POST /v1/worker/claim HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                                    + Fixtures.token(UUID.randomUUID(), "worker")
                                    + "\r\nContent-Type: application/json\r\nContent-Length: "
                                    + body.length() + "\r\n\r\n" + body)
                            .getBytes(StandardCharsets.UTF_8));
            socket.getOutputStream().flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> signals.waiting() > 0);
        }
        // The worker is gone (shut down, crashed): its long-poll must leave the next task to live workers. (Quarkus
        // REST
        // cancels the claim's Uni when the connection closes, which ends the wait without claiming.)
        String id = user.createTask("single_image", Map.of("prompt", "for someone alive"));
        await().atMost(Duration.ofSeconds(10)).until(() -> signals.waiting() == 0);
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(3))
                .until(() -> "queued".equals(user.task(id).get("status")));
        assertThat(claim("alive", List.of(), 5, 0)
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath()
                        .getList("tasks.id", String.class))
                .containsExactly(id);
    }

    @Test
    void repeatedClaimsRecordTheWorkerWithoutRewritingItsRowEachTime() throws Exception {
        String worker = "seen-" + UUID.randomUUID();
        claim(worker, List.of("a"), 1, 0).then().statusCode(200);
        String version = queryString("SELECT xmin::text FROM workers WHERE worker_id = '" + worker + "'");
        assertThat(version).isNotNull();
        claim(worker, List.of("a"), 1, 0).then().statusCode(200);
        assertThat(queryString("SELECT xmin::text FROM workers WHERE worker_id = '" + worker + "'"))
                .isEqualTo(version);
        // New capabilities are recorded at once.
        claim(worker, List.of("a", "b"), 1, 0).then().statusCode(200);
        assertThat(queryString(
                        "SELECT array_to_string(capabilities, ',') FROM workers WHERE worker_id = '" + worker + "'"))
                .isEqualTo("a,b");
    }

    @Test
    void aClaimWithNothingQueuedAnswersAnEmptyListAfterItsWait() {
        assertThat(claim("empty", List.of(), 5, 1)
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath()
                        .getList("tasks"))
                .isEmpty();
    }

    @Test
    void aClaimAnswerOfManyTasksGoesOutWholeWithItsContentLengthNotInChunks() {
        Fixtures.User user = Fixtures.user(100);
        String prompt = "x".repeat(1500);
        for (int i = 0; i < 12; i++) {
            user.createTask("single_image", Map.of("prompt", prompt + i));
        }
        Response answer = claim("whole", List.of(), 12, 0)
                .then()
                .statusCode(200)
                .extract()
                .response();
        byte[] body = answer.asByteArray();
        assertThat(answer.jsonPath().getList("tasks.id")).hasSize(12);
        assertThat(body.length).isGreaterThan(3 * 8192); // above Quarkus' default output buffer
        assertThat(answer.header("Transfer-Encoding")).isNull();
        assertThat(answer.header("Content-Length")).isEqualTo(String.valueOf(body.length));
    }
}
