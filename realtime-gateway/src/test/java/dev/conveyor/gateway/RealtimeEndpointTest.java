package dev.conveyor.gateway;

import static dev.conveyor.gateway.Keys.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.GenerationSnapshot;
import dev.conveyor.devstack.DevstackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(DevstackResource.class)
class RealtimeEndpointTest extends EventProducingTest {
    @Inject
    Vertx vertx;

    @TestHTTPResource("/")
    URI base;

    @Inject
    dev.conveyor.gateway.session.SessionsTestAccess sessions;

    /** A user owning a fresh project, as the projects topic says. */
    record Owner(UUID user, UUID project) {}

    static Owner owner() {
        Owner owner = new Owner(UUID.randomUUID(), UUID.randomUUID());
        events.project(owner.project, owner.user);
        return owner;
    }

    @Test
    void everyConnectionGetsTheSameInvalidateWrittenStraightToItsVertxSocket() {
        Owner o = owner();
        UUID shot = UUID.randomUUID();
        try (WsClient first = WsClient.authenticated(vertx, base, token(o.user));
                WsClient second = WsClient.authenticated(vertx, base, token(o.user))) {
            first.subscribe("project:" + o.project);
            second.subscribe("project:" + o.project);

            events.task(EventTypes.TASK_COMPLETED, o.project, o.user, shot);

            JsonNode one = first.awaitFrame("invalidate");
            JsonNode two = second.awaitFrame("invalidate");
            assertThat(two).isEqualTo(one);
            assertThat(one.toString()).contains(shot.toString());
            // not through the websockets-next sendText fallback: the pre-encoded frame goes to the Vert.x socket
            await().atMost(Duration.ofSeconds(10)).until(() -> sessions.directConnections() == sessions.connections());
            assertThat(sessions.directConnections()).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void aTaskCompletionReachesTheOwnerAsOneFrameWithExactlyTheMappedKeys() {
        Owner o = owner();
        UUID shot = UUID.randomUUID();
        try (WsClient ws = WsClient.authenticated(vertx, base, token(o.user))) {
            JsonNode subscribed = ws.subscribe("project:" + o.project);
            assertThat(subscribed.get("recovered").asBoolean()).isFalse();

            UUID task = UUID.randomUUID();
            var record = events.task(EventTypes.TASK_COMPLETED, o.project, o.user, shot, task);

            JsonNode frame = ws.awaitFrame("invalidate");
            assertThat(frame.get("channel").asText()).isEqualTo("project:" + o.project);
            assertThat(WsClient.keys(frame))
                    .containsExactlyInAnyOrder(
                            key("task-status-counts", o.project),
                            key("tasks", "paginated", o.project, 1),
                            key("task", task),
                            key("unified-generations", "project", o.project),
                            key("unified-generations", "shot", shot));
            assertThat(WsClient.keyCount(frame)).isEqualTo(5);
            assertThat(frame.get("position").asText())
                    .contains("task-events:" + record.partition() + ":" + (record.offset() + 1))
                    .contains("generation-events:");
        }
    }

    @Test
    void generationAndShotLinkEventsMapToTheirProjectShotAndUnpositionedKeys() {
        Owner o = owner();
        UUID positioned = UUID.randomUUID();
        UUID unpositioned = UUID.randomUUID();
        try (WsClient ws = WsClient.authenticated(vertx, base, token(o.user))) {
            ws.subscribe("project:" + o.project);
            events.generation(
                    EventTypes.GENERATION_CREATED,
                    o.project,
                    o.user,
                    List.of(
                            new GenerationSnapshot.ShotLink(positioned, 1),
                            new GenerationSnapshot.ShotLink(unpositioned, null)));
            JsonNode generation = ws.awaitFrame("invalidate");
            assertThat(WsClient.keys(generation))
                    .containsExactlyInAnyOrder(
                            key("unified-generations", "project", o.project), key("shots", o.project),
                            key("unified-generations", "shot", positioned), key("unpositioned-count", positioned),
                            key("unified-generations", "shot", unpositioned), key("unpositioned-count", unpositioned));

            events.shotLink(o.project, o.user, positioned);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> ws.ofType("invalidate").size() == 2);
            assertThat(WsClient.keys(ws.ofType("invalidate").get(1)))
                    .containsExactlyInAnyOrder(
                            key("unified-generations", "project", o.project),
                            key("unified-generations", "shot", positioned),
                            key("unpositioned-count", positioned));
        }
    }

    @Test
    void creditsAndLeadChangesReachTheUsersOwnChannelWithTheAccountKeys() {
        UUID user = UUID.randomUUID();
        try (WsClient ws = WsClient.authenticated(vertx, base, token(user))) {
            ws.subscribe("user:" + user);
            events.credits(user);
            JsonNode credits = ws.awaitFrame("invalidate");
            assertThat(WsClient.keys(credits)).containsExactly(key("account", user));
            assertThat(credits.get("position").asText()).startsWith("account-events:");

            events.lead(user);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> ws.ofType("invalidate").size() == 2);
            assertThat(WsClient.keys(ws.ofType("invalidate").get(1))).containsExactly(key("task-lead", user));
        }
    }

    @Test
    void aForeignProjectAndAnotherUsersChannelAreRefusedAndTheirEventsNeverArrive() {
        Owner other = owner();
        UUID intruder = UUID.randomUUID();
        try (WsClient ws = WsClient.authenticated(vertx, base, token(intruder))) {
            ws.send(Map.of("type", "subscribe", "channel", "project:" + other.project));
            JsonNode refused = ws.awaitFrame("error");
            assertThat(refused.get("code").asText()).isEqualTo("forbidden");
            assertThat(refused.get("channel").asText()).isEqualTo("project:" + other.project);

            ws.send(Map.of("type", "subscribe", "channel", "user:" + other.user));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> ws.ofType("error").size() == 2);
            assertThat(ws.ofType("error").get(1).get("code").asText()).isEqualTo("forbidden");

            // an unknown project is refused the same way (after waiting briefly for the projects topic)
            ws.send(Map.of("type", "subscribe", "channel", "project:" + UUID.randomUUID()));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> ws.ofType("error").size() == 3);
            assertThat(ws.ofType("error").get(2).get("code").asText()).isEqualTo("forbidden");

            // the owner's events reach the owner, never the intruder
            try (WsClient owner = WsClient.authenticated(vertx, base, token(other.user))) {
                owner.subscribe("project:" + other.project);
                events.task(EventTypes.TASK_CREATED, other.project, other.user, null);
                owner.awaitFrame("invalidate");
            }
            assertThat(ws.ofType("invalidate")).isEmpty();
            assertThat(ws.ofType("subscribed")).isEmpty();
        }
    }

    @Test
    void deletingTheProjectEndsItsSubscription() {
        Owner o = owner();
        try (WsClient ws = WsClient.authenticated(vertx, base, token(o.user))) {
            ws.subscribe("project:" + o.project);
            events.deleteProject(o.project);
            JsonNode gone = ws.awaitFrame("unsubscribed");
            assertThat(gone.get("channel").asText()).isEqualTo("project:" + o.project);
            assertThat(gone.get("reason").asText()).isEqualTo("forbidden");
            events.task(EventTypes.TASK_CREATED, o.project, o.user, null);
            ws.send(Map.of("type", "subscribe", "channel", "project:" + o.project));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !ws.ofType("error").isEmpty());
            assertThat(ws.ofType("error").get(0).get("code").asText()).isEqualTo("forbidden");
            assertThat(ws.ofType("invalidate")).isEmpty();
        }
    }

    @Test
    void garbageFramesGetErrorFramesAndTheConnectionAndServerKeepWorking() {
        Owner o = owner();
        try (WsClient ws = WsClient.authenticated(vertx, base, token(o.user))) {
            List<String> garbage = List.of(
                    "not json at all",
                    "[1,2]",
                    "{\"type\":42}",
                    "{\"type\":\"launch-missiles\"}",
                    "{\"type\":\"subscribe\"}",
                    "{\"type\":\"subscribe\",\"channel\":\"project:not-a-uuid\"}",
                    "{\"type\":\"subscribe\",\"channel\":\"team:" + o.project + "\"}",
                    "{\"type\":\"subscribe\",\"channel\":\"project:" + o.project + "\",\"since\":\"garbage\"}",
                    "{\"type\":\"subscribe\",\"channel\":\"project:" + o.project + "\",\"since\":{\"a\":1}}");
            garbage.forEach(ws::send);
            ws.sendBinary(new byte[] {1, 2, 3});
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> ws.ofType("error").size() == garbage.size() + 1);
            assertThat(ws.ofType("error"))
                    .extracting(f -> f.get("code").asText())
                    .containsExactly(
                            "bad_frame",
                            "bad_frame",
                            "bad_frame",
                            "unknown_type",
                            "bad_channel",
                            "bad_channel",
                            "bad_channel",
                            "bad_position",
                            "bad_position",
                            "bad_frame");
            assertThat(ws.isClosed()).isFalse();
            assertThat(ws.ofType("subscribed")).isEmpty();

            // the same connection still works
            ws.send(Map.of("type", "ping", "id", "p1"));
            assertThat(ws.awaitFrame("pong").get("id").asText()).isEqualTo("p1");
            ws.subscribe("project:" + o.project);
            events.task(EventTypes.TASK_QUEUED, o.project, o.user, null);
            assertThat(WsClient.keys(ws.awaitFrame("invalidate"))).contains(key("task-status-counts", o.project));
        }
    }

    @Test
    void tooManyGarbageFramesCloseTheConnectionWith4400AndOthersAreUnaffected() {
        Owner o = owner();
        try (WsClient good = WsClient.authenticated(vertx, base, token(o.user));
                WsClient bad = WsClient.authenticated(vertx, base, token(UUID.randomUUID()))) {
            good.subscribe("project:" + o.project);
            for (int i = 0; i < 25; i++) {
                bad.send("garbage " + i);
            }
            assertThat(bad.awaitClose()).isEqualTo((short) 4400);
            events.task(EventTypes.TASK_CLAIMED, o.project, o.user, null);
            assertThat(WsClient.keys(good.awaitFrame("invalidate"))).contains(key("tasks", "paginated", o.project, 1));
        }
    }

    @Test
    void aConnectionWithoutValidTokenIsClosedWith4401AndAWorkerTokenWith4403() {
        try (WsClient none = WsClient.connect(vertx, base, null)) {
            none.send(Map.of("type", "subscribe", "channel", "user:" + UUID.randomUUID()));
            assertThat(none.awaitClose()).isEqualTo((short) 4401);
        }
        try (WsClient garbage = WsClient.connect(vertx, base, "not.a.jwt")) {
            assertThat(garbage.awaitClose()).isEqualTo((short) 4401);
        }
        String expired = DevstackResource.keys()
                .token(
                        UUID.randomUUID().toString(),
                        List.of("user"),
                        Instant.now().minus(Duration.ofHours(2)),
                        Duration.ofMinutes(10));
        try (WsClient old = WsClient.connect(vertx, base, expired)) {
            assertThat(old.awaitClose()).isEqualTo((short) 4401);
        }
        String worker = DevstackResource.keys().token(UUID.randomUUID(), List.of("worker"), Duration.ofMinutes(10));
        try (WsClient w = WsClient.connect(vertx, base, worker)) {
            assertThat(w.awaitClose()).isEqualTo((short) 4403);
        }
    }

    @Test
    void theTokenCanComeInTheFirstFrame() {
        UUID user = UUID.randomUUID();
        try (WsClient ws = WsClient.connect(vertx, base, null)) {
            ws.send(Map.of("type", "auth", "token", token(user)));
            assertThat(ws.awaitFrame("welcome").get("userId").asText()).isEqualTo(user.toString());
            ws.subscribe("user:" + user);
            events.credits(user);
            assertThat(WsClient.keys(ws.awaitFrame("invalidate"))).containsExactly(key("account", user));
        }
    }

    @Test
    void aBurstOfEventsIsCoalescedIntoOneFrameWithTheMinimalCoveringSet() {
        Owner o = owner();
        try (WsClient ws = WsClient.authenticated(vertx, base, token(o.user))) {
            ws.subscribe("project:" + o.project);
            List<String> types = Arrays.asList(
                    EventTypes.TASK_CREATED,
                    EventTypes.TASK_QUEUED,
                    EventTypes.TASK_CLAIMED,
                    EventTypes.TASK_PROGRESS,
                    EventTypes.TASK_PROGRESS,
                    EventTypes.TASK_COMPLETED);
            for (int i = 0; i < 5; i++) {
                types.forEach(type -> events.taskAsync(type, o.project, o.user));
            }
            events.flush();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !ws.ofType("invalidate").isEmpty());
            // the window's leading edge sends the first change(s) at once; everything after waits for the window and
            // goes out as one frame: 30 events, at most two frames, each the minimal covering set, where the 29+ tasks'
            // ["task",id] keys fold into ["task"]
            await().during(Duration.ofMillis(600))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> ws.ofType("invalidate").size(), n -> n >= 1 && n <= 2);
            List<JsonNode> frames = ws.ofType("invalidate");
            assertThat(frames).hasSizeBetween(1, 2);
            JsonNode last = frames.get(frames.size() - 1);
            assertThat(WsClient.keys(last))
                    .containsExactlyInAnyOrder(
                            key("task-status-counts", o.project),
                            key("tasks", "paginated", o.project, 1),
                            key("unified-generations", "project", o.project),
                            key("task"));
            assertThat(WsClient.keyCount(last)).isEqualTo(4);
        }
    }

    @Test
    void resumingInsideTheHistoryReplaysWhatWasMissedCoalesced() {
        Owner o = owner();
        UUID shot = UUID.randomUUID();
        try (WsClient watcher = WsClient.authenticated(vertx, base, token(o.user))) {
            String before =
                    watcher.subscribe("project:" + o.project).get("position").asText();

            UUID created = UUID.randomUUID();
            events.task(EventTypes.TASK_CREATED, o.project, o.user, null, created);
            events.shotLink(o.project, o.user, shot);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> watcher.ofType("invalidate").stream()
                            .anyMatch(f -> WsClient.keys(f).contains(key("unpositioned-count", shot))));
            String latest = watcher.ofType("invalidate")
                    .get(watcher.ofType("invalidate").size() - 1)
                    .get("position")
                    .asText();

            try (WsClient resumed = WsClient.authenticated(vertx, base, token(o.user))) {
                resumed.send(Map.of("type", "subscribe", "channel", "project:" + o.project, "since", before));
                JsonNode subscribed = resumed.awaitFrame("subscribed");
                assertThat(subscribed.get("recovered").asBoolean()).isTrue();
                assertThat(subscribed.get("position").asText()).isEqualTo(latest);
                JsonNode replay = resumed.awaitFrame("invalidate");
                assertThat(WsClient.keys(replay))
                        .containsExactlyInAnyOrder(
                                key("task-status-counts", o.project),
                                key("tasks", "paginated", o.project, 1),
                                key("task", created),
                                key("unified-generations", "project", o.project),
                                key("unified-generations", "shot", shot),
                                key("unpositioned-count", shot));
                assertThat(replay.get("position").asText()).isEqualTo(latest);
                assertThat(resumed.ofType("reset")).isEmpty();

                // and it is live from there on, without duplicates
                UUID failed = UUID.randomUUID();
                events.task(EventTypes.TASK_FAILED, o.project, o.user, null, failed);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> resumed.ofType("invalidate").size() == 2);
                assertThat(WsClient.keys(resumed.ofType("invalidate").get(1)))
                        .containsExactlyInAnyOrder(
                                key("task-status-counts", o.project),
                                key("tasks", "paginated", o.project, 1),
                                key("task", failed));
            }
        }
    }

    @Test
    void resumingFromBeforeTheHistoryResetsTheChannel() {
        Owner o = owner();
        try (WsClient watcher = WsClient.authenticated(vertx, base, token(o.user))) {
            String before =
                    watcher.subscribe("project:" + o.project).get("position").asText();
            // the test profile keeps 8 events per channel: 12 push the position out of the history
            org.apache.kafka.clients.producer.RecordMetadata last = null;
            for (int i = 0; i < 12; i++) {
                last = events.task(EventTypes.TASK_PROGRESS, o.project, o.user, null);
            }
            String lastOffset = "task-events:" + last.partition() + ":" + (last.offset() + 1);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> watcher.ofType("invalidate").stream()
                            .anyMatch(f -> f.get("position").asText().contains(lastOffset)));

            try (WsClient resumed = WsClient.authenticated(vertx, base, token(o.user))) {
                resumed.send(Map.of("type", "subscribe", "channel", "project:" + o.project, "since", before));
                JsonNode reset = resumed.awaitFrame("reset");
                assertThat(reset.get("channel").asText()).isEqualTo("project:" + o.project);
                assertThat(WsClient.keys(reset))
                        .containsExactlyInAnyOrder(
                                key("tasks", "paginated", o.project),
                                key("task-status-counts", o.project),
                                key("task"),
                                key("unified-generations", "project", o.project),
                                key("unified-generations", "shot"),
                                key("unpositioned-count"),
                                key("shots", o.project));
                assertThat(WsClient.keyCount(reset)).isEqualTo(7);
                assertThat(reset.get("position").asText()).contains(lastOffset);
                JsonNode subscribed = resumed.awaitFrame("subscribed");
                assertThat(subscribed.get("recovered").asBoolean()).isFalse();
                assertThat(resumed.ofType("invalidate")).isEmpty();
            }
        }
    }

    @Test
    void unreadableEventsAreSkippedAndLaterEventsStillArrive() {
        Owner o = owner();
        try (WsClient ws = WsClient.authenticated(vertx, base, token(o.user))) {
            ws.subscribe("project:" + o.project);
            events.garbage(o.project);
            UUID task = UUID.randomUUID();
            events.task(EventTypes.TASK_CANCELLED, o.project, o.user, null, task);
            JsonNode frame = ws.awaitFrame("invalidate");
            assertThat(WsClient.keys(frame))
                    .containsExactlyInAnyOrder(
                            key("task-status-counts", o.project),
                            key("tasks", "paginated", o.project, 1),
                            key("task", task));
        }
    }

    @Test
    void unsubscribeStopsTheChannel() {
        Owner o = owner();
        try (WsClient ws = WsClient.authenticated(vertx, base, token(o.user))) {
            ws.subscribe("project:" + o.project);
            ws.send(Map.of("type", "unsubscribe", "channel", "project:" + o.project));
            ws.awaitFrame("unsubscribed");
            events.task(EventTypes.TASK_CREATED, o.project, o.user, null);
            // the user channel still works and proves the gateway processed past the project event
            ws.subscribe("user:" + o.user);
            events.credits(o.user);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> !ws.ofType("invalidate").isEmpty());
            assertThat(ws.ofType("invalidate"))
                    .allMatch(f -> f.get("channel").asText().equals("user:" + o.user));
        }
    }
}
