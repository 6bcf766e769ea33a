package dev.conveyor.taskapi;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.devstack.DevstackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every kind of bad input gets a 4xx problem+json with a stable code, and the database does not change. */
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class BadInputTest {
    Fixtures.User user;
    Fixtures.User other;
    String otherTask;

    @BeforeEach
    void users() throws Exception {
        Fixtures.isolateQueue();
        user = Fixtures.user(5);
        other = Fixtures.user(5);
        otherTask = other.createTask("single_image", Map.of("prompt", "theirs"));
    }

    private void refused(int status, String code, Supplier<Response> call) throws Exception {
        String before = Fixtures.dbState();
        Response r = call.get();
        assertThat(r.statusCode()).as(r.body().asString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.jsonPath().getString("code")).isEqualTo(code);
        assertThat(r.jsonPath().getInt("status")).isEqualTo(status);
        assertThat(r.jsonPath().getString("title")).isNotBlank();
        assertThat(r.jsonPath().getString("type")).isNotBlank();
        assertThat(Fixtures.dbState()).isEqualTo(before);
    }

    private Map<String, Object> task(Object params) {
        return Map.of("projectId", user.projectId(), "taskType", "single_image", "params", params);
    }

    private Response create(Object body) {
        return user.api().body(body).post("/v1/tasks");
    }

    @Test
    void malformedOrMistypedBodiesAreRefused() throws Exception {
        refused(400, "malformed_json", () -> create("{\"projectId\": "));
        refused(400, "malformed_json", () -> create("{\"taskType\": \"single_image\" \"params\": {}}"));
        refused(
                422,
                "validation_failed",
                () -> create(Map.of(
                        "projectId",
                        user.projectId(),
                        "taskType",
                        "single_image",
                        "params",
                        Map.of("prompt", "a"),
                        "priority",
                        "high")));
        refused(
                422,
                "validation_failed",
                () -> create(Map.of("projectId", user.projectId(), "taskType", "single_image", "params", "text")));
        refused(
                422,
                "validation_failed",
                () -> create(Map.of("projectId", "not-a-uuid", "taskType", "single_image", "params", Map.of())));
        refused(
                422,
                "validation_failed",
                () -> create(Map.of("taskType", "single_image", "params", Map.of("prompt", "a"))));
        refused(422, "validation_failed", () -> create(task(Map.of("width", 5))));
        refused(422, "validation_failed", () -> create(task(Map.of("prompt", "a", "shot_id", "nope"))));
    }

    @Test
    void unknownTypesOversizeParamsAndOutOfRangeNumbersAreRefused() throws Exception {
        refused(
                422,
                "unknown_task_type",
                () -> create(Map.of("projectId", user.projectId(), "taskType", "mine_bitcoin", "params", Map.of())));
        refused(413, "params_too_large", () -> create(task(Map.of("prompt", "x".repeat(300 * 1024)))));
        refused(422, "validation_failed", () -> create(task(Map.of("prompt", "a", "num_images", -1))));
        refused(422, "validation_failed", () -> create(task(Map.of("prompt", "a", "num_images", 0))));
        refused(422, "validation_failed", () -> create(task(Map.of("prompt", "a", "num_images", 1.5))));
        refused(
                422,
                "validation_failed",
                () -> create(
                        "{\"projectId\":\"" + user.projectId()
                                + "\",\"taskType\":\"single_image\",\"params\":{\"prompt\":\"a\",\"num_images\":123456789012345678901234567890}}"));
        refused(
                422,
                "validation_failed",
                () -> create("{\"projectId\":\"" + user.projectId()
                        + "\",\"taskType\":\"single_image\",\"params\":{\"prompt\":\"a\"},\"priority\":99999999999}"));
        refused(
                422,
                "validation_failed",
                () -> create(Map.of(
                        "projectId",
                        user.projectId(),
                        "taskType",
                        "single_image",
                        "params",
                        Map.of("prompt", "a"),
                        "priority",
                        5000)));
        refused(
                422,
                "validation_failed",
                () -> Fixtures.admin().body(Map.of("amount", -5)).post("/v1/admin/accounts/" + user.id() + "/credits"));
        refused(
                422,
                "validation_failed",
                () -> Fixtures.admin()
                        .body(Map.of("amount", 10_000_000_000L))
                        .post("/v1/admin/accounts/" + user.id() + "/credits"));
        refused(
                422,
                "validation_failed",
                () -> Fixtures.worker()
                        .body(Map.of("workerId", "w", "max", 1000))
                        .post("/v1/worker/claim"));
        refused(
                422,
                "validation_failed",
                () -> Fixtures.worker()
                        .body(Map.of("workerId", "w", "max", 1, "waitSeconds", 31))
                        .post("/v1/worker/claim"));
        refused(
                422,
                "validation_failed",
                () -> Fixtures.worker()
                        .body(Map.of("workerId", "w", "leaseToken", UUID.randomUUID(), "progress", 101))
                        .post("/v1/worker/tasks/" + otherTask + "/heartbeat"));
        refused(
                422,
                "validation_failed",
                () -> user.api().queryParam("limit", 1000).get("/v1/projects/" + user.projectId() + "/tasks"));
        refused(
                422,
                "validation_failed",
                () -> user.api().queryParam("page", "x").get("/v1/projects/" + user.projectId() + "/tasks"));
        refused(
                422,
                "validation_failed",
                () -> user.api().body(Map.of("clientId", "")).post("/v1/task-lead"));
    }

    @Test
    void badIdsAreRefused() throws Exception {
        refused(400, "invalid_id", () -> user.api().get("/v1/tasks/123"));
        refused(400, "invalid_id", () -> user.api().post("/v1/tasks/zzz/cancel"));
        refused(400, "invalid_id", () -> user.api().get("/v1/projects/not-a-project/tasks"));
        refused(
                400,
                "invalid_id",
                () -> Fixtures.admin().body(Map.of("amount", 5)).post("/v1/admin/accounts/bob/credits"));
        refused(404, "not_found", () -> user.api().get("/v1/tasks/" + UUID.randomUUID()));
    }

    @Test
    void missingInvalidAndExpiredTokensAre401AndWrongRolesAre403() throws Exception {
        Map<String, Object> body = task(Map.of("prompt", "a"));
        refused(
                401,
                "unauthorized",
                () -> given().contentType(ContentType.JSON).body(body).post("/v1/tasks"));
        refused(
                401,
                "unauthorized",
                () -> given().contentType(ContentType.JSON)
                        .header("Authorization", "Bearer not.a.jwt")
                        .body(body)
                        .post("/v1/tasks"));
        String expired = DevstackResource.keys()
                .token(
                        user.id().toString(),
                        List.of("user"),
                        Instant.now().minus(Duration.ofHours(2)),
                        Duration.ofMinutes(10));
        refused(
                401,
                "unauthorized",
                () -> given().contentType(ContentType.JSON)
                        .header("Authorization", "Bearer " + expired)
                        .body(body)
                        .post("/v1/tasks"));
        refused(
                403,
                "forbidden",
                () -> Fixtures.as(user.id(), "worker").body(body).post("/v1/tasks"));
        refused(
                403,
                "forbidden",
                () -> user.api().body(Map.of("workerId", "w", "max", 1)).post("/v1/worker/claim"));
        refused(
                403,
                "forbidden",
                () -> user.api().body(Map.of("amount", 100)).post("/v1/admin/accounts/" + user.id() + "/credits"));
    }

    @Test
    void anotherUsersProjectsAndTasksAreNotFound() throws Exception {
        refused(
                404,
                "not_found",
                () -> user.api()
                        .body(Map.of(
                                "projectId",
                                other.projectId(),
                                "taskType",
                                "single_image",
                                "params",
                                Map.of("prompt", "a")))
                        .post("/v1/tasks"));
        refused(404, "not_found", () -> user.api().get("/v1/projects/" + other.projectId()));
        refused(404, "not_found", () -> user.api().get("/v1/projects/" + other.projectId() + "/tasks"));
        refused(404, "not_found", () -> user.api().get("/v1/projects/" + other.projectId() + "/task-status-counts"));
        refused(404, "not_found", () -> user.api().delete("/v1/projects/" + other.projectId()));
        refused(404, "not_found", () -> user.api().get("/v1/tasks/" + otherTask));
        refused(404, "not_found", () -> user.api().post("/v1/tasks/" + otherTask + "/cancel"));
        refused(404, "not_found", () -> user.api().post("/v1/tasks/" + otherTask + "/retry"));
        refused(
                422,
                "validation_failed",
                () -> create(Map.of(
                        "projectId",
                        user.projectId(),
                        "taskType",
                        "single_image",
                        "params",
                        Map.of("prompt", "a"),
                        "dependsOn",
                        List.of(otherTask))));
        assertThat(other.task(otherTask)).containsEntry("status", "queued");
    }

    /**
     * The single create sends its project check, insert and hold together; the check is judged first, so a missing
     * project (the insert fails its foreign key) or another user's (the hold would refuse for lack of credits) answers
     * 404, and only the user's own project reaches the 402.
     */
    @Test
    void aCreateIntoAMissingOrAnotherUsersProjectIsNotFoundEvenWithoutCredits() throws Exception {
        Fixtures.User broke = Fixtures.user(0);
        refused(404, "not_found", () -> createAs(broke, UUID.randomUUID().toString()));
        refused(404, "not_found", () -> createAs(broke, other.projectId()));
        refused(402, "insufficient_credits", () -> createAs(broke, broke.projectId()));
    }

    private static Response createAs(Fixtures.User who, String projectId) {
        return who.api()
                .body(Map.of("projectId", projectId, "taskType", "single_image", "params", Map.of("prompt", "a")))
                .post("/v1/tasks");
    }

    @Test
    void aProjectWithUnfinishedTasksCannotBeDeleted() throws Exception {
        refused(409, "project_has_active_tasks", () -> other.api().delete("/v1/projects/" + other.projectId()));
    }
}
