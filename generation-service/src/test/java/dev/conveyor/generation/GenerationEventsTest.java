package dev.conveyor.generation;

import static dev.conveyor.generation.Fixtures.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventHeaders;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.Topics;
import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.kit.outbox.OutboxSettings;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** Every change reaches generation-events through the outbox, keyed by project, in commit order. */
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_generations"))
class GenerationEventsTest {

    @Inject
    Pool pool;

    long relayLockKey = OutboxSettings.LOCK_KEY;

    @Test
    void completionsAndGalleryChangesArePublishedInOrderKeyedByProject() {
        UUID owner = UUID.randomUUID();
        UUID projectId = Fixtures.project(owner);
        UUID shotId = Fixtures.shot(owner, projectId, "events");
        UUID generationId = Fixtures.generation(owner, projectId, shotId, "single_image", "image");
        as(owner)
                .contentType("application/json")
                .body(Map.of("position", 3))
                .put("/v1/shots/{id}/generations/{g}", shotId, generationId)
                .then()
                .statusCode(200);
        as(owner)
                .contentType("application/json")
                .body(Map.of("name", "events 2"))
                .patch("/v1/shots/{id}", shotId)
                .then()
                .statusCode(200);
        as(owner)
                .delete("/v1/shots/{id}/generations/{g}", shotId, generationId)
                .then()
                .statusCode(204);
        as(owner).delete("/v1/generations/{id}", generationId).then().statusCode(204);
        as(owner).delete("/v1/shots/{id}", shotId).then().statusCode(204);

        List<ConsumerRecord<String, String>> records = eventsOf(projectId, 10);

        assertThat(records).allSatisfy(r -> assertThat(r.key()).isEqualTo(projectId.toString()));
        List<EventEnvelope> events =
                records.stream().map(r -> EventEnvelope.fromJson(r.value())).toList();
        assertThat(events)
                .extracting(EventEnvelope::type)
                .containsExactly(
                        EventTypes.SHOT_CHANGED,
                        EventTypes.GENERATION_CREATED,
                        EventTypes.SHOT_GENERATION_CHANGED,
                        EventTypes.SHOT_GENERATION_CHANGED,
                        EventTypes.GENERATION_UPDATED,
                        EventTypes.SHOT_CHANGED,
                        EventTypes.SHOT_GENERATION_CHANGED,
                        EventTypes.GENERATION_UPDATED,
                        EventTypes.GENERATION_DELETED,
                        EventTypes.SHOT_CHANGED);
        assertThat(events).allSatisfy(e -> {
            assertThat(e.source()).isEqualTo("generation-service");
            assertThat(e.projectId()).isEqualTo(projectId);
            assertThat(e.userId()).isEqualTo(owner);
        });

        JsonNode created = events.get(1).data();
        assertThat(events.get(1).subject()).isEqualTo(generationId.toString());
        assertThat(created.get("generationId").asText()).isEqualTo(generationId.toString());
        assertThat(created.get("type").asText()).isEqualTo("image");
        assertThat(created.get("location").asText()).startsWith("http://127.0.0.1:8084/outputs/");
        assertThat(created.get("shots").get(0).get("shotId").asText()).isEqualTo(shotId.toString());
        JsonNode linked = events.get(2).data();
        assertThat(events.get(2).subject()).isEqualTo(shotId.toString());
        assertThat(linked.get("shotId").asText()).isEqualTo(shotId.toString());
        assertThat(linked.get("generationId").asText()).isEqualTo(generationId.toString());
        assertThat(linked.get("linked").asBoolean()).isTrue();
        assertThat(events.get(3).data().get("position").asInt()).isEqualTo(3);
        assertThat(events.get(4).data().get("shots").get(0).get("position").asInt())
                .isEqualTo(3);
        assertThat(events.get(5).data().get("name").asText()).isEqualTo("events 2");
        assertThat(events.get(6).data().get("linked").asBoolean()).isFalse();
        assertThat(events.get(8).data().get("generationId").asText()).isEqualTo(generationId.toString());
        assertThat(events.get(9).data().get("deleted").asBoolean()).isTrue();

        await().atMost(Duration.ofSeconds(10))
                .until(() -> pool.preparedQuery("select count(*) from outbox where published_at is null and key = $1")
                                .execute(Tuple.of(projectId.toString()))
                                .await()
                                .atMost(Duration.ofSeconds(5))
                                .iterator()
                                .next()
                                .getLong(0)
                        == 0);
    }

    @Test
    void everyPublishedEventCarriesItsTypeAsTheCeTypeHeader() {
        UUID owner = UUID.randomUUID();
        UUID projectId = Fixtures.project(owner);
        UUID shotId = Fixtures.shot(owner, projectId, "headers");
        Fixtures.generation(owner, projectId, shotId, "single_image", "image");

        List<ConsumerRecord<String, String>> records = eventsOf(projectId, 3);

        assertThat(records).hasSize(3).allSatisfy(r -> {
            assertThat(r.headers().headers(EventHeaders.TYPE)).hasSize(1);
            assertThat(new String(r.headers().lastHeader(EventHeaders.TYPE).value(), StandardCharsets.UTF_8))
                    .isEqualTo(EventEnvelope.fromJson(r.value()).type());
        });
        assertThat(records)
                .extracting(r ->
                        new String(r.headers().lastHeader(EventHeaders.TYPE).value(), StandardCharsets.UTF_8))
                .containsExactly(
                        EventTypes.SHOT_CHANGED, EventTypes.GENERATION_CREATED, EventTypes.SHOT_GENERATION_CHANGED);
    }

    @Test
    void whileAnotherRelayHoldsTheAdvisoryLockNothingIsPublishedThenItAllIs() {
        UUID owner = UUID.randomUUID();
        UUID projectId = Fixtures.project(owner);
        SqlConnection otherReplica = pool.getConnection().await().atMost(Duration.ofSeconds(5));
        try {
            otherReplica.query("begin").execute().await().atMost(Duration.ofSeconds(5));
            otherReplica
                    .preparedQuery("select pg_advisory_xact_lock($1)")
                    .execute(Tuple.of(relayLockKey))
                    .await()
                    .atMost(Duration.ofSeconds(5));

            Fixtures.shot(owner, projectId, "held back");

            await().during(Duration.ofSeconds(1))
                    .atMost(Duration.ofSeconds(3))
                    .until(() -> unpublished(projectId) == 1);
        } finally {
            otherReplica.query("commit").execute().await().atMost(Duration.ofSeconds(5));
            otherReplica.close().await().atMost(Duration.ofSeconds(5));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> unpublished(projectId) == 0);
        assertThat(eventsOf(projectId, 1))
                .extracting(r -> EventEnvelope.fromJson(r.value()).type())
                .containsExactly(EventTypes.SHOT_CHANGED);
    }

    private long unpublished(UUID projectId) {
        return pool.preparedQuery("select count(*) from outbox where published_at is null and key = $1")
                .execute(Tuple.of(projectId.toString()))
                .await()
                .atMost(Duration.ofSeconds(5))
                .iterator()
                .next()
                .getLong(0);
    }

    private List<ConsumerRecord<String, String>> eventsOf(UUID projectId, int expected) {
        List<ConsumerRecord<String, String>> found = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        DevstackResource.devstack().kafka().bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "events-check-" + UUID.randomUUID(),
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest"),
                new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(Topics.GENERATION_EVENTS));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                    if (projectId.toString().equals(record.key())) {
                        found.add(record);
                    }
                }
                return found.size() >= expected;
            });
        }
        return found;
    }

    /** Writes an outbox row on {@code conn} (inside whatever transaction it has open); answers its id. */
    private static long writeOutbox(SqlConnection conn, String key, String payload) {
        return conn.preparedQuery("insert into outbox (topic, key, payload) values ($1, $2, $3) returning id")
                .execute(Tuple.of(Topics.GENERATION_EVENTS, key, payload))
                .await()
                .atMost(Duration.ofSeconds(5))
                .iterator()
                .next()
                .getLong(0);
    }

    private static String marker(UUID projectId, String subject) {
        return EventEnvelope.of(
                        EventTypes.SHOT_CHANGED,
                        "generation-events-test",
                        subject,
                        projectId,
                        UUID.randomUUID(),
                        Map.of())
                .toJson();
    }

    private boolean published(long id) {
        return pool.preparedQuery("select published_at is not null from outbox where id = $1")
                .execute(Tuple.of(id))
                .await()
                .atMost(Duration.ofSeconds(5))
                .iterator()
                .next()
                .getBoolean(0);
    }

    @Test
    void ofTwoTransactionsChangingOneRowTheOneThatCommitsLastIsPublishedLastWhicheverStartedFirst() {
        UUID owner = UUID.randomUUID();
        UUID projectId = Fixtures.project(owner);
        UUID shotId = Fixtures.shot(owner, projectId, "order");
        String key = projectId.toString();
        SqlConnection early = pool.getConnection().await().atMost(Duration.ofSeconds(5));
        SqlConnection late = pool.getConnection().await().atMost(Duration.ofSeconds(5));
        try {
            // "early" takes its transaction id first (as a batch does with its first rows), then has to wait for the
            // shot, which "late" changed and holds until it commits.
            early.query("begin").execute().await().atMost(Duration.ofSeconds(5));
            early.query("select pg_current_xact_id()").execute().await().atMost(Duration.ofSeconds(5));
            late.query("begin").execute().await().atMost(Duration.ofSeconds(5));
            renameShot(late, shotId, "late");
            long lateRow = writeOutbox(late, key, marker(projectId, "late"));
            var earlyRename = renameShot(early, shotId, "early").subscribeAsCompletionStage();
            late.query("commit").execute().await().atMost(Duration.ofSeconds(5));
            earlyRename.join();
            long earlyRow = writeOutbox(early, key, marker(projectId, "early"));
            assertThat(earlyRow).isGreaterThan(lateRow);

            // Nothing waits behind the open transaction: what committed is published.
            await().atMost(Duration.ofSeconds(10)).until(() -> published(lateRow));
            early.query("commit").execute().await().atMost(Duration.ofSeconds(5));
        } finally {
            early.close().await().atMost(Duration.ofSeconds(5));
            late.close().await().atMost(Duration.ofSeconds(5));
        }
        // The shot was renamed by "late" and then by "early": its events say so in that order (after the shot's own
        // creation event).
        assertThat(eventsOf(projectId, 3))
                .extracting(r -> EventEnvelope.fromJson(r.value()).subject())
                .filteredOn(subject -> subject.equals("late") || subject.equals("early"))
                .containsExactly("late", "early");
    }

    private static Uni<Void> renameShot(SqlConnection conn, UUID shotId, String name) {
        return conn.preparedQuery("update shots set name = $2, updated_at = now() where id = $1")
                .execute(Tuple.of(shotId, name))
                .replaceWithVoid();
    }

    @Test
    void aRowKafkaRefusesIsDeadLetteredCountedListedAndTheRowsAfterItFlow() {
        UUID projectId = UUID.randomUUID();
        String key = projectId.toString();
        double deadBefore = metric("conveyor_outbox_dead_letters_total");
        String huge = "{\"big\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";
        long hugeId;
        SqlConnection conn = pool.getConnection().await().atMost(Duration.ofSeconds(5));
        try {
            conn.query("begin").execute().await().atMost(Duration.ofSeconds(5));
            writeOutbox(conn, key, marker(projectId, "before"));
            hugeId = writeOutbox(conn, key, huge);
            writeOutbox(conn, key, marker(projectId, "after"));
            conn.query("commit").execute().await().atMost(Duration.ofSeconds(5));
        } finally {
            conn.close().await().atMost(Duration.ofSeconds(5));
        }

        assertThat(eventsOf(projectId, 2))
                .extracting(r -> EventEnvelope.fromJson(r.value()).subject())
                .containsExactly("before", "after");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> metric("conveyor_outbox_dead_letters_total") >= deadBefore + 1);
        Map<String, Object> letter = Fixtures.admin()
                .get("/v1/admin/outbox/dead-letters")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .<Map<String, Object>>getList("items")
                .stream()
                .filter(l -> ((Number) l.get("outboxId")).longValue() == hugeId)
                .findFirst()
                .orElseThrow();
        assertThat(letter).containsEntry("key", key).containsEntry("payloadChars", huge.length());
        assertThat((String) letter.get("reason")).contains("RecordTooLargeException");

        Fixtures.admin()
                .post("/v1/admin/outbox/dead-letters/" + letter.get("id") + "/redrive")
                .then()
                .statusCode(200);
        Fixtures.admin()
                .post("/v1/admin/outbox/dead-letters/" + letter.get("id") + "/redrive")
                .then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("code", org.hamcrest.Matchers.is("not_found"));
        as(UUID.randomUUID())
                .get("/v1/admin/outbox/dead-letters")
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
    }

    private static double metric(String name) {
        String body = io.restassured.RestAssured.given()
                .get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        double total = 0;
        for (String line : body.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }
}
