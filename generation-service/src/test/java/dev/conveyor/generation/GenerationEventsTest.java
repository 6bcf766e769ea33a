package dev.conveyor.generation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.Topics;
import dev.conveyor.devstack.DevstackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static dev.conveyor.generation.Fixtures.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Every change reaches generation-events through the outbox, keyed by project, in commit order. */
@QuarkusTest
@QuarkusTestResource(value = DevstackResource.class, initArgs = @ResourceArg(name = "database", value = "conveyor_generations"))
class GenerationEventsTest {

    @Inject
    Pool pool;
    @ConfigProperty(name = "generation.relay.lock-key")
    long relayLockKey;

    @Test
    void completionsAndGalleryChangesArePublishedInOrderKeyedByProject() {
        UUID owner = UUID.randomUUID();
        UUID projectId = Fixtures.project(owner);
        UUID shotId = Fixtures.shot(owner, projectId, "events");
        UUID generationId = Fixtures.generation(owner, projectId, shotId, "single_image", "image");
        as(owner).contentType("application/json").body(Map.of("position", 3))
                .put("/v1/shots/{id}/generations/{g}", shotId, generationId).then().statusCode(200);
        as(owner).contentType("application/json").body(Map.of("name", "events 2")).patch("/v1/shots/{id}", shotId).then().statusCode(200);
        as(owner).delete("/v1/shots/{id}/generations/{g}", shotId, generationId).then().statusCode(204);
        as(owner).delete("/v1/generations/{id}", generationId).then().statusCode(204);
        as(owner).delete("/v1/shots/{id}", shotId).then().statusCode(204);

        List<ConsumerRecord<String, String>> records = eventsOf(projectId, 10);

        assertThat(records).allSatisfy(r -> assertThat(r.key()).isEqualTo(projectId.toString()));
        List<EventEnvelope> events = records.stream().map(r -> EventEnvelope.fromJson(r.value())).toList();
        assertThat(events).extracting(EventEnvelope::type).containsExactly(
                EventTypes.SHOT_CHANGED,
                EventTypes.GENERATION_CREATED, EventTypes.SHOT_GENERATION_CHANGED,
                EventTypes.SHOT_GENERATION_CHANGED, EventTypes.GENERATION_UPDATED,
                EventTypes.SHOT_CHANGED,
                EventTypes.SHOT_GENERATION_CHANGED, EventTypes.GENERATION_UPDATED,
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
        assertThat(events.get(4).data().get("shots").get(0).get("position").asInt()).isEqualTo(3);
        assertThat(events.get(5).data().get("name").asText()).isEqualTo("events 2");
        assertThat(events.get(6).data().get("linked").asBoolean()).isFalse();
        assertThat(events.get(8).data().get("generationId").asText()).isEqualTo(generationId.toString());
        assertThat(events.get(9).data().get("deleted").asBoolean()).isTrue();

        await().atMost(Duration.ofSeconds(10)).until(() -> pool.preparedQuery(
                        "select count(*) from outbox where published_at is null and record_key = $1").execute(Tuple.of(projectId.toString()))
                .await().atMost(Duration.ofSeconds(5)).iterator().next().getLong(0) == 0);
    }

    @Test
    void whileAnotherRelayHoldsTheAdvisoryLockNothingIsPublishedThenItAllIs() {
        UUID owner = UUID.randomUUID();
        UUID projectId = Fixtures.project(owner);
        SqlConnection otherReplica = pool.getConnection().await().atMost(Duration.ofSeconds(5));
        try {
            otherReplica.query("begin").execute().await().atMost(Duration.ofSeconds(5));
            otherReplica.preparedQuery("select pg_advisory_xact_lock($1)").execute(Tuple.of(relayLockKey))
                    .await().atMost(Duration.ofSeconds(5));

            Fixtures.shot(owner, projectId, "held back");

            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> unpublished(projectId) == 1);
        } finally {
            otherReplica.query("commit").execute().await().atMost(Duration.ofSeconds(5));
            otherReplica.close().await().atMost(Duration.ofSeconds(5));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> unpublished(projectId) == 0);
        assertThat(eventsOf(projectId, 1)).extracting(r -> EventEnvelope.fromJson(r.value()).type()).containsExactly(EventTypes.SHOT_CHANGED);
    }

    private long unpublished(UUID projectId) {
        return pool.preparedQuery("select count(*) from outbox where published_at is null and record_key = $1")
                .execute(Tuple.of(projectId.toString())).await().atMost(Duration.ofSeconds(5)).iterator().next().getLong(0);
    }

    private List<ConsumerRecord<String, String>> eventsOf(UUID projectId, int expected) {
        List<ConsumerRecord<String, String>> found = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, DevstackResource.devstack().kafka().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "events-check-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
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
}
