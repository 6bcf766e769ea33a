package dev.conveyor.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventEnvelopeTest {

    @Test
    void envelopeWithTaskSnapshotSurvivesJsonRoundTrip() {
        UUID task = UUID.randomUUID(), project = UUID.randomUUID(), user = UUID.randomUUID();
        TaskSnapshot snapshot = new TaskSnapshot(
                task,
                project,
                user,
                "single_image",
                "complete",
                0,
                5,
                1,
                3,
                100,
                "done",
                "worker-1",
                "image",
                UUID.randomUUID(),
                "http://localhost/out.png",
                Json.MAPPER.createObjectNode().put("width", 512),
                null,
                null,
                null,
                List.of(),
                null,
                Instant.parse("2026-11-23T10:15:30.123456Z"),
                Instant.parse("2026-11-23T10:15:31Z"),
                Json.MAPPER.createObjectNode().put("prompt", "a red fox"));

        EventEnvelope sent =
                EventEnvelope.of(EventTypes.TASK_COMPLETED, "task-api", task.toString(), project, user, snapshot);
        EventEnvelope received = EventEnvelope.fromJson(sent.toJson());

        assertThat(received).isEqualTo(sent);
        assertThat(received.dataAs(TaskSnapshot.class)).isEqualTo(snapshot);
    }

    @Test
    void jsonFormUsesCamelCaseAndIsoTimes() throws Exception {
        EventEnvelope event = new EventEnvelope(
                UUID.fromString("00000000-0000-0000-0000-000000000001"),
                EventTypes.CREDITS_CHANGED,
                "task-api",
                Instant.parse("2026-11-23T10:15:30Z"),
                "00000000-0000-0000-0000-000000000002",
                null,
                UUID.fromString("00000000-0000-0000-0000-000000000002"),
                Json.MAPPER.valueToTree(new CreditsChanged(
                        UUID.fromString("00000000-0000-0000-0000-000000000002"), 100, 10, 90, "hold", 10, null)));

        JsonNode json = Json.MAPPER.readTree(event.toJson());

        assertThat(json.get("occurredAt").asText()).isEqualTo("2026-11-23T10:15:30Z");
        assertThat(json.get("type").asText()).isEqualTo("credits.changed");
        assertThat(json.has("projectId")).isFalse();
        assertThat(json.get("data").get("available").asLong()).isEqualTo(90);
    }

    @Test
    void unknownFieldsAreIgnoredForForwardCompatibility() {
        String json =
                "{\"id\":\"00000000-0000-0000-0000-000000000001\",\"type\":\"shot.changed\",\"source\":\"generation-service\","
                        + "\"occurredAt\":\"2026-11-23T10:15:30Z\",\"subject\":\"s\",\"future\":42,"
                        + "\"data\":{\"shotId\":\"00000000-0000-0000-0000-000000000003\",\"name\":\"intro\",\"deleted\":false,\"extra\":1}}";

        EventEnvelope event = EventEnvelope.fromJson(json);

        assertThat(event.dataAs(ShotChanged.class).name()).isEqualTo("intro");
    }

    @Test
    void garbageIsRejectedAsNotAnEnvelope() {
        assertThatThrownBy(() -> EventEnvelope.fromJson("{not json")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventEnvelope.fromJson("{\"type\":\"task.created\"}"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void everyTopicIsListedOnceAndProjectsIsCompacted() {
        assertThat(Topics.ALL)
                .extracting(Topics.TopicSpec::name)
                .doesNotHaveDuplicates()
                .contains(Topics.TASK_EVENTS, Topics.GENERATION_EVENTS, Topics.ACCOUNT_EVENTS, Topics.PROJECTS);
        assertThat(Topics.ALL)
                .filteredOn(Topics.TopicSpec::compacted)
                .extracting(Topics.TopicSpec::name)
                .containsExactly(Topics.PROJECTS);
    }

    @Test
    void anEnvelopeWrittenInOnePassIsTheTextOfTheEnvelopeBuiltThroughATree() throws Exception {
        UUID task = UUID.randomUUID(), project = UUID.randomUUID(), user = UUID.randomUUID();
        Instant at = Instant.parse("2026-11-23T10:15:30.123400Z");
        TaskSnapshot snapshot = new TaskSnapshot(
                task,
                project,
                user,
                "single_image",
                "complete",
                0,
                5,
                1,
                3,
                100,
                "done \"quoted\"",
                "worker-1",
                "image",
                UUID.randomUUID(),
                "http://localhost/out.png",
                Json.MAPPER.readTree("{\"w\":512,\"f\":1.5,\"n\":[1,{\"a\":null}]}"),
                null,
                null,
                null,
                List.of(UUID.randomUUID()),
                null,
                at,
                Instant.parse("2026-11-23T10:15:31Z"),
                null);
        EventEnvelope head =
                EventEnvelope.of(EventTypes.TASK_COMPLETED, "task-api", task.toString(), project, user, null);
        EventEnvelope viaTree = new EventEnvelope(
                head.id(),
                head.type(),
                head.source(),
                head.occurredAt(),
                head.subject(),
                project,
                user,
                Json.MAPPER.readTree(Json.MAPPER.writeValueAsBytes(snapshot)));

        assertThat(head.toJsonWith(snapshot)).isEqualTo(viaTree.toJson());

        String params = "{\"prompt\":\"fox\",\"n\":[1,2]}";
        ((com.fasterxml.jackson.databind.node.ObjectNode) viaTree.data()).set("params", Json.MAPPER.readTree(params));
        assertThat(head.toJsonWith(snapshot, "params", params)).isEqualTo(viaTree.toJson());

        UUID credited = UUID.randomUUID();
        EventEnvelope credits =
                EventEnvelope.of(EventTypes.CREDITS_CHANGED, "task-api", credited.toString(), null, credited, null);
        CreditsChanged data = new CreditsChanged(credited, 10, 2, 8, "hold", 2, null);
        assertThat(credits.toJsonWith(data))
                .isEqualTo(new EventEnvelope(
                                credits.id(),
                                credits.type(),
                                credits.source(),
                                credits.occurredAt(),
                                credits.subject(),
                                null,
                                credited,
                                Json.MAPPER.valueToTree(data))
                        .toJson());
    }
}
