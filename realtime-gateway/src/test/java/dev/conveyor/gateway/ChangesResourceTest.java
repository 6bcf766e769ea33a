package dev.conveyor.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.is;

import dev.conveyor.contracts.EventTypes;
import dev.conveyor.devstack.DevstackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(DevstackResource.class)
class ChangesResourceTest extends EventProducingTest {
    static Response changes(UUID user, String channel, String since) {
        var request = given().auth().oauth2(token(user)).queryParam("channel", channel);
        if (since != null) {
            request = request.queryParam("since", since);
        }
        return request.when().get("/v1/changes");
    }

    static void awaitOwner(UUID user, UUID project) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> changes(user, "project:" + project, null).statusCode() == 200);
    }

    @Test
    void theCursorReturnsTheKeysChangedSinceAPositionAndTheNewPosition() {
        UUID user = UUID.randomUUID();
        UUID project = UUID.randomUUID();
        UUID shot = UUID.randomUUID();
        events.project(project, user);
        awaitOwner(user, project);
        String channel = "project:" + project;

        Response first = changes(user, channel, null);
        first.then().statusCode(200).body("reset", is(false)).body("keys.size()", is(0));
        String start = first.path("position");

        UUID task = UUID.randomUUID();
        events.task(EventTypes.TASK_COMPLETED, project, user, shot, task);
        RecordMetadata link = events.shotLink(project, user, shot);
        String expected = "generation-events:" + link.partition() + ":" + (link.offset() + 1);
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        changes(user, channel, start).<String>path("position").contains(expected));

        Response answer = changes(user, channel, start);
        answer.then().statusCode(200).body("reset", is(false));
        List<List<Object>> keys = answer.path("keys");
        assertThat(keys)
                .containsExactlyInAnyOrder(
                        List.of("task-status-counts", project.toString()),
                        List.of("tasks", "paginated", project.toString(), 1),
                        List.of("task", task.toString()),
                        List.of("unified-generations", "project", project.toString()),
                        List.of("unified-generations", "shot", shot.toString()),
                        List.of("unpositioned-count", shot.toString()));

        // asking again from the new position: nothing changed since
        String now = answer.path("position");
        changes(user, channel, now)
                .then()
                .statusCode(200)
                .body("reset", is(false))
                .body("keys.size()", is(0))
                .body("position", is(now));
    }

    @Test
    void aPositionOlderThanTheHistoryAnswersReset() {
        UUID user = UUID.randomUUID();
        events.credits(user);
        String channel = "user:" + user;
        String position = changes(user, channel, null).path("position");
        String partition = position.substring(0, position.lastIndexOf(':'));
        // offset 0 of the user's partition lies before this replica's history of the channel once 8 newer events exist
        for (int i = 0; i < 10; i++) {
            events.credits(user);
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        !changes(user, channel, null).<String>path("position").equals(position));
        Response answer = changes(user, channel, position);
        answer.then().statusCode(200).body("reset", is(true));
        List<List<Object>> keys = answer.path("keys");
        assertThat(keys)
                .containsExactlyInAnyOrder(List.of("account", user.toString()), List.of("task-lead", user.toString()));
        assertThat(answer.<String>path("position")).startsWith(partition + ":");
    }

    @Test
    void aForeignChannelIsNotFoundAsProblemJson() {
        UUID owner = UUID.randomUUID();
        UUID project = UUID.randomUUID();
        events.project(project, owner);
        awaitOwner(owner, project);
        UUID other = UUID.randomUUID();
        changes(other, "project:" + project, null)
                .then()
                .statusCode(404)
                .contentType("application/problem+json")
                .body("code", is("not_found"))
                .body("status", is(404));
        changes(other, "user:" + owner, null).then().statusCode(404).body("code", is("not_found"));
    }

    @Test
    void badChannelsAndPositionsAreProblemsWithStableCodes() {
        UUID user = UUID.randomUUID();
        changes(user, "users:" + user, null)
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("code", is("bad_channel"))
                .body("title", is("Bad channel"));
        changes(user, "user:" + user, "garbage")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("code", is("bad_position"));
        changes(user, "user:" + user, "account-events:x:1")
                .then()
                .statusCode(400)
                .body("code", is("bad_position"));
        given().queryParam("channel", "user:" + user)
                .when()
                .get("/v1/changes")
                .then()
                .statusCode(401);
    }
}
