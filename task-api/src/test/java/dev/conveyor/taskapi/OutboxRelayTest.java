package dev.conveyor.taskapi;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;

import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.Topics;
import dev.conveyor.devstack.DevstackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
@TestProfile(OutboxRelayTest.DeleteOnPublish.class)
class OutboxRelayTest {
    /** The packaged default (the test profile keeps published rows for the other tests to read): delete on publish. */
    public static class DeleteOnPublish implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("conveyor.relay.retention", "0s");
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Writes rows into the outbox in one transaction, as a service's own transaction would; answers their ids. */
    private static List<Long> writeOutbox(String... topicKeyPayload) throws Exception {
        try (Connection c = Fixtures.db()) {
            c.setAutoCommit(false);
            List<Long> ids = new java.util.ArrayList<>();
            for (int i = 0; i < topicKeyPayload.length; i += 3) {
                try (PreparedStatement p =
                        c.prepareStatement("INSERT INTO outbox (topic, key, payload) VALUES (?, ?, ?) RETURNING id")) {
                    p.setString(1, topicKeyPayload[i]);
                    p.setString(2, topicKeyPayload[i + 1]);
                    p.setString(3, topicKeyPayload[i + 2]);
                    try (var rs = p.executeQuery()) {
                        rs.next();
                        ids.add(rs.getLong(1));
                    }
                }
            }
            c.commit();
            return ids;
        }
    }

    /** A well-formed event (other tests read task-events as envelopes) that only this test looks for. */
    private static String marker(String subject) {
        return EventEnvelope.of(
                        EventTypes.TASK_UPDATED,
                        "outbox-relay-test",
                        subject,
                        UUID.randomUUID(),
                        UUID.randomUUID(),
                        Map.of())
                .toJson();
    }

    private static double metric(String name) {
        String body = given().get("/q/metrics").then().statusCode(200).extract().asString();
        double total = 0;
        for (String line : body.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    @Test
    void aRowKafkaRefusesIsDeadLetteredTheRowsAroundItArePublishedOnceAndLaterEventsFlow() throws Exception {
        double deadBefore = metric("conveyor_outbox_dead_letters_total");
        String key = UUID.randomUUID().toString();
        String before = marker("before-" + key);
        String after = marker("after-" + key);
        String huge = "{\"big\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";
        try (KafkaLog log = new KafkaLog(Topics.TASK_EVENTS)) {
            List<Long> ids = writeOutbox(
                    Topics.TASK_EVENTS, key, before, Topics.TASK_EVENTS, key, huge, Topics.TASK_EVENTS, key, after);
            Fixtures.User user = Fixtures.user(5);
            String task = user.createTask("single_image", Map.of("prompt", "after the poison row"));

            log.awaitTypes(task, EventTypes.TASK_CREATED);
            List<ConsumerRecord<String, String>> seen =
                    log.await(records -> records.stream().anyMatch(r -> after.equals(r.value())));
            assertThat(seen)
                    .filteredOn(r -> key.equals(r.key()))
                    .extracting(ConsumerRecord::value)
                    .containsExactly(before, after);
            // task-api's relay deletes what Kafka acknowledged in the pass (retention 0): the published rows are
            // gone, and the refused one left the outbox for outbox_dead_letters
            // (the pass commits just after Kafka's acknowledgement, which the consumer may see first)
            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(Fixtures.queryLong("SELECT count(*) FROM outbox WHERE id IN ("
                                    + ids.get(0) + ", " + ids.get(1) + ", " + ids.get(2) + ")"))
                            .isZero());
        }
        assertThat(metric("conveyor_outbox_dead_letters_total")).isGreaterThanOrEqualTo(deadBefore + 1);

        Map<String, Object> letter = Fixtures.admin()
                .get("/v1/admin/outbox/dead-letters")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .<Map<String, Object>>getList("items")
                .stream()
                .filter(l -> key.equals(l.get("key")))
                .findFirst()
                .orElseThrow();
        assertThat(letter).containsEntry("topic", Topics.TASK_EVENTS).containsEntry("payloadChars", huge.length());
        assertThat((String) letter.get("reason")).contains("RecordTooLargeException");
        assertThat((String) letter.get("payloadPreview")).hasSize(1000);
        await().atMost(WAIT).until(() -> metric("conveyor_outbox_dead_letters_waiting") >= 1);

        long id = ((Number) letter.get("id")).longValue();
        long outboxId = ((Number) Fixtures.admin()
                        .post("/v1/admin/outbox/dead-letters/" + id + "/redrive")
                        .then()
                        .statusCode(200)
                        .body("id", is((int) id))
                        .extract()
                        .path("outboxId"))
                .longValue();
        assertThat(Fixtures.queryLong("SELECT count(*) FROM outbox_dead_letters WHERE id = " + id))
                .isZero();
        // Still too large: the relay moves it aside again, as a new dead letter.
        await().atMost(WAIT)
                .until(() ->
                        Fixtures.queryLong("SELECT count(*) FROM outbox_dead_letters WHERE outbox_id = " + outboxId)
                                == 1);
    }

    @Test
    void deadLetterEndpointsAreForAdminsAndAnswerProblems() {
        Fixtures.admin()
                .post("/v1/admin/outbox/dead-letters/999999999/redrive")
                .then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("code", is("not_found"));
        Fixtures.admin()
                .post("/v1/admin/outbox/dead-letters/abc/redrive")
                .then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("code", is("not_found"));
        Fixtures.admin()
                .queryParam("after", "-1")
                .get("/v1/admin/outbox/dead-letters")
                .then()
                .statusCode(422)
                .contentType("application/problem+json")
                .body("code", is("validation_failed"));
        Fixtures.as(UUID.randomUUID(), "user")
                .get("/v1/admin/outbox/dead-letters")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
        given().get("/v1/admin/outbox/dead-letters").then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void aStuckRelayShowsInItsMetricsAndReadiness() throws Exception {
        double lastSuccessBefore = metric("conveyor_outbox_last_success_seconds");
        assertThat(lastSuccessBefore).isPositive();
        String key = UUID.randomUUID().toString();
        // A topic that does not exist: every pass fails for a passing reason and nothing behind the row is published.
        List<Long> stuck = writeOutbox("conveyor-missing-topic-" + key, key, "{}");
        try {
            writeOutbox(Topics.TASK_EVENTS, key, marker("behind-" + key));
            await().atMost(WAIT)
                    .until(() -> metric("conveyor_outbox_depth") >= 2 && metric("conveyor_outbox_lag_seconds") >= 1);
            await().atMost(WAIT)
                    .untilAsserted(() -> given().get("/q/health/ready")
                            .then()
                            .statusCode(503)
                            .body("checks.find { it.name == 'outbox relay' }.status", is("DOWN")));
            assertThat(metric("conveyor_outbox_last_success_seconds"))
                    .isLessThan(System.currentTimeMillis() / 1000.0 - 2);
        } finally {
            Fixtures.execute("DELETE FROM outbox WHERE id = " + stuck.get(0));
        }
        await().atMost(WAIT).until(() -> metric("conveyor_outbox_depth") == 0);
        await().atMost(WAIT)
                .untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200));
        assertThat(metric("conveyor_outbox_last_success_seconds")).isGreaterThan(lastSuccessBefore);
    }
}
