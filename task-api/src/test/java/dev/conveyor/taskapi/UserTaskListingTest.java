package dev.conveyor.taskapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.devstack.DevstackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GET /v1/tasks: the caller's own tasks across all their projects, filtered by a comma list of statuses. */
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class UserTaskListingTest {

    private static void status(String taskId, String status) throws Exception {
        Fixtures.execute("UPDATE tasks SET status = '" + status + "' WHERE id = '" + taskId + "'");
    }

    @Test
    void listsOnlyTheCallersTasksOfTheAskedStatusesAcrossTheirProjectsNewestFirst() throws Exception {
        Fixtures.User user = Fixtures.user(50);
        Fixtures.User other = Fixtures.user(50);
        String secondProject = user.api()
                .body(Map.of("name", "second"))
                .post("/v1/projects")
                .then()
                .statusCode(201)
                .extract()
                .path("id");

        // oldest to newest: queued (p1), in_progress (p2), complete (p1), waiting (p2), queued (p2)
        List<String> mine = new ArrayList<>();
        mine.add(user.createTask("single_image", Map.of("prompt", "a")));
        mine.add(create(user, secondProject));
        mine.add(user.createTask("single_image", Map.of("prompt", "c")));
        mine.add(create(user, secondProject));
        mine.add(create(user, secondProject));
        status(mine.get(1), "in_progress");
        status(mine.get(2), "complete");
        status(mine.get(3), "waiting");
        // another user's pending tasks, queued and in progress, never appear
        String theirs = other.createTask("single_image", Map.of("prompt", "theirs"));
        String theirsRunning = other.createTask("single_image", Map.of("prompt", "theirs 2"));
        status(theirsRunning, "in_progress");

        Response pending = user.api().queryParam("status", "queued,in_progress").get("/v1/tasks");
        pending.then().statusCode(200);
        assertThat(pending.jsonPath().getList("items.id", String.class))
                .containsExactly(mine.get(4), mine.get(1), mine.get(0));
        assertThat(pending.jsonPath().getList("items.userId", String.class))
                .containsOnly(user.id().toString());
        assertThat(pending.jsonPath().getList("items.projectId", String.class))
                .contains(user.projectId(), secondProject);
        assertThat(pending.jsonPath().getLong("total")).isEqualTo(3);
        assertThat(pending.jsonPath().getInt("page")).isEqualTo(1);
        assertThat(pending.jsonPath().getInt("limit")).isEqualTo(20);

        // no status: every status; pages of two
        Response all = user.api().queryParam("page", 2).queryParam("limit", 2).get("/v1/tasks");
        all.then().statusCode(200);
        assertThat(all.jsonPath().getList("items.id", String.class)).containsExactly(mine.get(2), mine.get(1));
        assertThat(all.jsonPath().getLong("total")).isEqualTo(5);

        Response spaced = user.api().queryParam("status", " waiting , complete").get("/v1/tasks");
        assertThat(spaced.jsonPath().getList("items.id", String.class)).containsExactly(mine.get(3), mine.get(2));

        // and the other user sees only theirs
        Response others = other.api().get("/v1/tasks");
        assertThat(others.jsonPath().getList("items.id", String.class)).containsExactly(theirsRunning, theirs);
    }

    @Test
    void anUnknownStatusOrAPageOutOfRangeIsRefusedWithValidationFailed() throws Exception {
        Fixtures.User user = Fixtures.user(5);
        user.createTask("single_image", Map.of("prompt", "a"));
        for (Map<String, Object> query : List.<Map<String, Object>>of(
                Map.of("status", "queued,running"),
                Map.of("status", "QUEUED"),
                Map.of("status", "queued,"),
                Map.of("status", ",queued"),
                Map.of("limit", 101),
                Map.of("limit", 0),
                Map.of("page", 0),
                Map.of("page", "x"))) {
            String before = Fixtures.dbState();
            Response r = user.api().queryParams(query).get("/v1/tasks");
            assertThat(r.statusCode()).as(query + ": " + r.body().asString()).isEqualTo(422);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.jsonPath().getString("code")).isEqualTo("validation_failed");
            assertThat(Fixtures.dbState()).isEqualTo(before);
        }
    }

    @Test
    void withoutAUserTokenTheListingIsRefused() {
        io.restassured.RestAssured.given().get("/v1/tasks").then().statusCode(401);
        Fixtures.worker().get("/v1/tasks").then().statusCode(403);
    }

    private static String create(Fixtures.User user, String project) {
        return user.api()
                .body(Map.of("projectId", project, "taskType", "single_image", "params", Map.of("prompt", "b")))
                .post("/v1/tasks")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }
}
