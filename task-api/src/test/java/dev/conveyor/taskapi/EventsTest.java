package dev.conveyor.taskapi;

import static dev.conveyor.taskapi.Fixtures.claim;
import static dev.conveyor.taskapi.Fixtures.worker;
import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.contracts.CreditsChanged;
import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventHeaders;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.ProjectSnapshot;
import dev.conveyor.contracts.TaskSnapshot;
import dev.conveyor.contracts.Topics;
import dev.conveyor.devstack.DevstackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reads task-api's events with a plain Kafka consumer and checks them against docs/events.md. */
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class EventsTest {
    /** A task's events from create to complete with one progress report between, in commit order. */
    private static final List<String> A_LIFE_WITH_PROGRESS = List.of(
            EventTypes.TASK_CREATED, EventTypes.TASK_CLAIMED, EventTypes.TASK_PROGRESS, EventTypes.TASK_COMPLETED);

    @BeforeEach
    void isolate() throws Exception {
        Fixtures.isolateQueue();
    }

    @Test
    void aTasksLifeIsPublishedOnTaskEventsKeyedByProjectInOrderWithTheSnapshot() {
        try (KafkaLog log = new KafkaLog(Topics.TASK_EVENTS, Topics.ACCOUNT_EVENTS)) {
            Fixtures.User user = Fixtures.user(10);
            String shot = UUID.randomUUID().toString();
            String id = user.createTask("single_image", Map.of("prompt", "fox", "shot_id", shot));
            String token = claim("we", List.of(), 1, 0).then().extract().path("tasks[0].leaseToken");
            worker().body(Map.of("workerId", "we", "leaseToken", token, "progress", 50, "message", "half"))
                    .post("/v1/worker/tasks/" + id + "/heartbeat")
                    .then()
                    .statusCode(200);
            worker().body(Map.of(
                            "workerId",
                            "we",
                            "leaseToken",
                            token,
                            "outputLocation",
                            "http://o/1.png",
                            "metadata",
                            Map.of("w", 1)))
                    .post("/v1/worker/tasks/" + id + "/complete")
                    .then()
                    .statusCode(200);

            List<EventEnvelope> events = log.awaitTypes(
                    id,
                    EventTypes.TASK_CREATED,
                    EventTypes.TASK_CLAIMED,
                    EventTypes.TASK_PROGRESS,
                    EventTypes.TASK_COMPLETED);
            assertThat(events).extracting(EventEnvelope::type).containsExactlyElementsOf(A_LIFE_WITH_PROGRESS);
            List<ConsumerRecord<String, String>> records = log.await(r -> true).stream()
                    .filter(r ->
                            r.topic().equals(Topics.TASK_EVENTS) && r.value().contains(id))
                    .toList();
            assertThat(records).allSatisfy(r -> assertThat(r.key()).isEqualTo(user.projectId()));
            assertThat(records.stream().map(ConsumerRecord::partition).distinct())
                    .hasSize(1);

            for (EventEnvelope e : events) {
                assertThat(e.source()).isEqualTo("task-api");
                assertThat(e.projectId().toString()).isEqualTo(user.projectId());
                assertThat(e.userId()).isEqualTo(user.id());
            }
            TaskSnapshot created = events.get(0).dataAs(TaskSnapshot.class);
            assertThat(created.status()).isEqualTo("queued");
            assertThat(created.generationType()).isEqualTo("image");
            assertThat(created.shotId().toString()).isEqualTo(shot);
            assertThat(created.params().get("prompt").asText()).isEqualTo("fox");
            TaskSnapshot claimed = events.get(1).dataAs(TaskSnapshot.class);
            assertThat(claimed.status()).isEqualTo("in_progress");
            assertThat(claimed.attempts()).isEqualTo(1);
            assertThat(claimed.workerId()).isEqualTo("we");
            assertThat(claimed.params()).isNull();
            TaskSnapshot progress = events.get(2).dataAs(TaskSnapshot.class);
            assertThat(progress.progress()).isEqualTo(50);
            assertThat(progress.progressMessage()).isEqualTo("half");
            TaskSnapshot completed = events.get(3).dataAs(TaskSnapshot.class);
            assertThat(completed.status()).isEqualTo("complete");
            assertThat(completed.outputLocation()).isEqualTo("http://o/1.png");
            assertThat(completed.metadata().get("w").asInt()).isEqualTo(1);
            assertThat(completed.params().get("prompt").asText()).isEqualTo("fox");
            assertThat(completed.shotId().toString()).isEqualTo(shot);

            List<CreditsChanged> credits = log.awaitTypes(user.id().toString(), EventTypes.CREDITS_CHANGED).stream()
                    .filter(e -> e.type().equals(EventTypes.CREDITS_CHANGED))
                    .map(e -> e.dataAs(CreditsChanged.class))
                    .toList();
            log.await(r -> log.about(user.id().toString()).size() >= 3);
            assertThat(log.about(user.id().toString()))
                    .extracting(e -> e.dataAs(CreditsChanged.class).entryKind())
                    .containsExactly("grant", "hold", "capture");
            assertThat(credits.get(0).userId()).isEqualTo(user.id());
            CreditsChanged capture = log.about(user.id().toString()).get(2).dataAs(CreditsChanged.class);
            assertThat(capture.balance()).isEqualTo(9);
            assertThat(capture.held()).isZero();
            assertThat(capture.taskId().toString()).isEqualTo(id);
        }
    }

    /**
     * What the chaos suite caught: a batch complete had taken its transaction id (its first rows), a progress heartbeat
     * on one of its tasks committed meanwhile, then the batch completed that task and committed. The completion came
     * second and must be published second, although its transaction began first.
     */
    @Test
    void aCompletionThatCommitsAfterAProgressHeartbeatIsPublishedAfterItAlthoughItsTransactionBeganFirst()
            throws Exception {
        try (KafkaLog log = new KafkaLog(Topics.TASK_EVENTS)) {
            Fixtures.User user = Fixtures.user(10);
            String id = user.createTask("single_image", Map.of("prompt", "order"));
            String token = claim("wo", List.of(), 1, 0).then().extract().path("tasks[0].leaseToken");
            try (Connection batch = Fixtures.db()) {
                batch.setAutoCommit(false);
                try (Statement s = batch.createStatement()) {
                    s.execute("SELECT pg_current_xact_id()");
                }
                worker().body(Map.of("workerId", "wo", "leaseToken", token, "progress", 40))
                        .post("/v1/worker/tasks/" + id + "/heartbeat")
                        .then()
                        .statusCode(200);
                completeWithItsEvent(batch, id, user);
                batch.commit();
            }

            assertThat(log.awaitTypes(id, EventTypes.TASK_PROGRESS, EventTypes.TASK_COMPLETED))
                    .extracting(EventEnvelope::type)
                    .containsExactlyElementsOf(A_LIFE_WITH_PROGRESS);
        }
    }

    /** Completes the task on {@code c} (its lease still held) and writes its task.completed row, as a complete does. */
    private static void completeWithItsEvent(Connection c, String id, Fixtures.User user) throws Exception {
        try (PreparedStatement complete = c.prepareStatement("UPDATE tasks SET status = 'complete', progress = 100, "
                + "completed_at = now(), updated_at = now(), lease_expires_at = NULL "
                + "WHERE id = ?::uuid AND status = 'in_progress'")) {
            complete.setString(1, id);
            assertThat(complete.executeUpdate()).isEqualTo(1);
        }
        String event = EventEnvelope.of(
                        EventTypes.TASK_COMPLETED,
                        "events-test",
                        id,
                        UUID.fromString(user.projectId()),
                        user.id(),
                        Map.of("id", id, "status", "complete"))
                .toJson();
        try (PreparedStatement outbox =
                c.prepareStatement("INSERT INTO outbox (topic, key, payload) VALUES (?, ?, ?)")) {
            outbox.setString(1, Topics.TASK_EVENTS);
            outbox.setString(2, user.projectId());
            outbox.setString(3, event);
            outbox.executeUpdate();
        }
    }

    @Test
    void theRelayPublishesTheHeadersConsumersFilterOnWithEveryEvent() {
        try (KafkaLog log = new KafkaLog(Topics.TASK_EVENTS, Topics.ACCOUNT_EVENTS)) {
            Fixtures.User user = Fixtures.user(10);
            String id = user.createTask("test_short_lease", Map.of());
            claimAndFailRetryably("wh", id);

            log.awaitTypes(id, EventTypes.TASK_CREATED, EventTypes.TASK_CLAIMED, EventTypes.TASK_REQUEUED);
            List<ConsumerRecord<String, String>> records = log.await(all -> all.stream()
                    .anyMatch(r -> r.topic().equals(Topics.ACCOUNT_EVENTS)
                            && EventEnvelope.fromJson(r.value())
                                    .subject()
                                    .equals(user.id().toString())));
            Map<String, ConsumerRecord<String, String>> ofTask = new java.util.HashMap<>();
            for (ConsumerRecord<String, String> r : records) {
                if (r.topic().equals(Topics.TASK_EVENTS)
                        && EventEnvelope.fromJson(r.value()).subject().equals(id)) {
                    ofTask.putIfAbsent(EventEnvelope.fromJson(r.value()).type(), r);
                }
            }
            assertThat(headers(ofTask.get(EventTypes.TASK_CREATED)))
                    .containsExactlyInAnyOrderEntriesOf(Map.of(
                            EventHeaders.TYPE,
                            EventTypes.TASK_CREATED,
                            EventHeaders.TASK_TYPE,
                            "test_short_lease",
                            EventHeaders.STATUS,
                            "queued",
                            EventHeaders.RUN_AFTER,
                            epochMillis(ofTask.get(EventTypes.TASK_CREATED)),
                            EventHeaders.SUBJECT,
                            id,
                            EventHeaders.TIME,
                            EventEnvelope.fromJson(
                                            ofTask.get(EventTypes.TASK_CREATED).value())
                                    .occurredAt()
                                    .toString()));
            assertThat(headers(ofTask.get(EventTypes.TASK_CLAIMED)))
                    .containsEntry(EventHeaders.TYPE, EventTypes.TASK_CLAIMED)
                    .containsEntry(EventHeaders.TASK_TYPE, "test_short_lease")
                    .containsEntry(EventHeaders.STATUS, "in_progress")
                    .doesNotContainKey(EventHeaders.RUN_AFTER);
            ConsumerRecord<String, String> requeued = ofTask.get(EventTypes.TASK_REQUEUED);
            assertThat(headers(requeued))
                    .containsEntry(EventHeaders.TYPE, EventTypes.TASK_REQUEUED)
                    .containsEntry(EventHeaders.STATUS, "queued")
                    .containsEntry(EventHeaders.RUN_AFTER, epochMillis(requeued));
            ConsumerRecord<String, String> credits = records.stream()
                    .filter(r -> r.topic().equals(Topics.ACCOUNT_EVENTS)
                            && EventEnvelope.fromJson(r.value())
                                    .subject()
                                    .equals(user.id().toString()))
                    .findFirst()
                    .orElseThrow();
            assertThat(headers(credits))
                    .containsExactlyInAnyOrderEntriesOf(Map.of(
                            EventHeaders.TYPE,
                            EventTypes.CREDITS_CHANGED,
                            EventHeaders.SUBJECT,
                            user.id().toString(),
                            EventHeaders.TIME,
                            EventEnvelope.fromJson(credits.value()).occurredAt().toString()));
        }
    }

    /** Claims the one queued test task as {@code workerId} and fails it with "flaky", retryable: it is requeued. */
    private static void claimAndFailRetryably(String workerId, String taskId) {
        String token = claim(workerId, List.of("test"), 1, 0).then().extract().path("tasks[0].leaseToken");
        worker().body(Map.of("workerId", workerId, "leaseToken", token, "error", "flaky", "retryable", true))
                .post("/v1/worker/tasks/" + taskId + "/fail")
                .then()
                .statusCode(200);
    }

    /** A record's headers as text; fails on a header named twice. */
    private static Map<String, String> headers(ConsumerRecord<String, String> record) {
        Map<String, String> headers = new java.util.HashMap<>();
        for (Header h : record.headers()) {
            assertThat(headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)))
                    .as("header %s once", h.key())
                    .isNull();
        }
        return headers;
    }

    /** The snapshot's runAfter in epoch milliseconds, as the header carries it. */
    private static String epochMillis(ConsumerRecord<String, String> record) {
        Instant runAfter = EventEnvelope.fromJson(record.value())
                .dataAs(TaskSnapshot.class)
                .runAfter();
        assertThat(runAfter).isNotNull();
        return Long.toString(runAfter.toEpochMilli());
    }

    @Test
    void requeuedFailedAndCancelledAreEachPublished() {
        try (KafkaLog log = new KafkaLog(Topics.TASK_EVENTS)) {
            Fixtures.User user = Fixtures.user(10);
            String failing = user.createTask("test_short_lease", Map.of());
            claimAndFailRetryably("wf", failing);
            String token2 = claim("wf", List.of("test"), 1, 5).then().extract().path("tasks[0].leaseToken");
            worker().body(Map.of("workerId", "wf", "leaseToken", token2, "error", "broken", "retryable", false))
                    .post("/v1/worker/tasks/" + failing + "/fail")
                    .then()
                    .statusCode(200);
            String cancelled = user.createTask("single_image", Map.of("prompt", "x"));
            user.api().post("/v1/tasks/" + cancelled + "/cancel").then().statusCode(200);

            List<EventEnvelope> failEvents = log.awaitTypes(failing, EventTypes.TASK_REQUEUED, EventTypes.TASK_FAILED);
            TaskSnapshot requeued = failEvents.stream()
                    .filter(e -> e.type().equals(EventTypes.TASK_REQUEUED))
                    .findFirst()
                    .orElseThrow()
                    .dataAs(TaskSnapshot.class);
            assertThat(requeued.status()).isEqualTo("queued");
            assertThat(requeued.runAfter()).isNotNull();
            assertThat(requeued.errorMessage()).isEqualTo("flaky");
            TaskSnapshot failed = failEvents.stream()
                    .filter(e -> e.type().equals(EventTypes.TASK_FAILED))
                    .findFirst()
                    .orElseThrow()
                    .dataAs(TaskSnapshot.class);
            assertThat(failed.status()).isEqualTo("failed");
            assertThat(failed.attempts()).isEqualTo(2);
            assertThat(failed.errorMessage()).isEqualTo("broken");
            assertThat(log.awaitTypes(cancelled, EventTypes.TASK_CANCELLED)
                            .get(1)
                            .dataAs(TaskSnapshot.class)
                            .status())
                    .isEqualTo("cancelled");
        }
    }

    @Test
    void projectsArePublishedOnTheCompactedTopicAndADeleteIsATombstone() {
        try (KafkaLog log = new KafkaLog(Topics.PROJECTS)) {
            Fixtures.User user = Fixtures.user(0);
            user.api()
                    .body(Map.of("name", "renamed"))
                    .patch("/v1/projects/" + user.projectId())
                    .then()
                    .statusCode(200);
            user.api().delete("/v1/projects/" + user.projectId()).then().statusCode(204);
            List<ConsumerRecord<String, String>> records =
                    log
                            .await(r -> r.stream()
                                            .filter(x -> x.key().equals(user.projectId()))
                                            .count()
                                    >= 3)
                            .stream()
                            .filter(x -> x.key().equals(user.projectId()))
                            .toList();
            assertThat(records).hasSize(3);
            ProjectSnapshot created =
                    EventEnvelope.fromJson(records.get(0).value()).dataAs(ProjectSnapshot.class);
            assertThat(created.ownerId()).isEqualTo(user.id());
            assertThat(created.name()).isEqualTo("p-" + user.id());
            EventEnvelope renamed = EventEnvelope.fromJson(records.get(1).value());
            assertThat(renamed.type()).isEqualTo(EventTypes.PROJECT_UPSERTED);
            assertThat(renamed.dataAs(ProjectSnapshot.class).name()).isEqualTo("renamed");
            assertThat(records.get(2).value()).isNull();
        }
    }
}
