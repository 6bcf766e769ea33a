package dev.conveyor.generation;

import static dev.conveyor.generation.Fixtures.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.Topics;
import dev.conveyor.devstack.DevstackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The REST contract of API.md: owner only, problem+json on bad input, galleries, shots and positions. */
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_generations"))
class GenerationApiTest {
    private static final String JSON = "application/json";

    @Test
    void requestsWithoutAValidUserTokenAreRejectedAsProblems() {
        UUID user = UUID.randomUUID();
        UUID projectId = Fixtures.project(user);
        problem(given().get("/v1/projects/{id}/generations", projectId), 401, "unauthorized");
        problem(
                given().header("Authorization", "Bearer not-a-jwt").get("/v1/projects/{id}/shots", projectId),
                401,
                "unauthorized");
        String expired = DevstackResource.keys()
                .token(
                        user.toString(),
                        List.of("user"),
                        Instant.now().minus(Duration.ofHours(2)),
                        Duration.ofMinutes(5));
        problem(
                given().header("Authorization", "Bearer " + expired).get("/v1/projects/{id}/shots", projectId),
                401,
                "unauthorized");
        String worker = DevstackResource.keys().token(user, List.of("worker"), Duration.ofMinutes(5));
        problem(
                given().header("Authorization", "Bearer " + worker)
                        .contentType(JSON)
                        .body(Map.of("name", "x"))
                        .post("/v1/projects/{id}/shots", projectId),
                403,
                "forbidden");
        as(user).get("/v1/projects/{id}/shots", projectId)
                .then()
                .statusCode(200)
                .body("$", empty());
    }

    @Test
    void anotherUsersProjectShotsAndGenerationsAnswerNotFoundAndStayUnchanged() {
        UUID owner = UUID.randomUUID();
        UUID stranger = UUID.randomUUID();
        UUID projectId = Fixtures.project(owner);
        UUID shotId = Fixtures.shot(owner, projectId, "mine");
        UUID generationId = Fixtures.generation(owner, projectId, shotId, "single_image", "image");

        problem(as(stranger).get("/v1/projects/{id}/generations", projectId), 404, "not_found");
        problem(as(stranger).get("/v1/projects/{id}/shots", projectId), 404, "not_found");
        problem(
                as(stranger)
                        .contentType(JSON)
                        .body(Map.of("name", "theirs"))
                        .post("/v1/projects/{id}/shots", projectId),
                404,
                "not_found");
        problem(as(stranger).get("/v1/generations/{id}", generationId), 404, "not_found");
        problem(as(stranger).delete("/v1/generations/{id}", generationId), 404, "not_found");
        problem(
                as(stranger).contentType(JSON).body(Map.of("name", "renamed")).patch("/v1/shots/{id}", shotId),
                404,
                "not_found");
        problem(as(stranger).delete("/v1/shots/{id}", shotId), 404, "not_found");
        problem(as(stranger).get("/v1/shots/{id}/generations", shotId), 404, "not_found");
        problem(as(stranger).get("/v1/shots/{id}/unpositioned-count", shotId), 404, "not_found");
        problem(
                as(stranger)
                        .contentType(JSON)
                        .body(Map.of("position", 1))
                        .put("/v1/shots/{id}/generations/{g}", shotId, generationId),
                404,
                "not_found");
        problem(as(stranger).delete("/v1/shots/{id}/generations/{g}", shotId, generationId), 404, "not_found");
        String taskId = as(owner)
                .get("/v1/generations/{id}", generationId)
                .then()
                .extract()
                .path("taskIds[0]");
        as(stranger)
                .get("/v1/generations?taskId=" + taskId)
                .then()
                .statusCode(200)
                .body("$", empty());

        as(owner)
                .get("/v1/generations/{id}", generationId)
                .then()
                .statusCode(200)
                .body("shots", hasSize(1))
                .body("shots[0].position", nullValue());
        as(owner)
                .get("/v1/projects/{id}/shots", projectId)
                .then()
                .statusCode(200)
                .body("name", contains("mine"));
    }

    @Test
    void badInputIsAProblemWithAStableCodeAndChangesNothing() {
        UUID owner = UUID.randomUUID();
        UUID projectId = Fixtures.project(owner);
        UUID shotId = Fixtures.shot(owner, projectId, "keep");
        UUID generationId = Fixtures.generation(owner, projectId, shotId, "single_image", "image");

        problem(
                as(owner).contentType(JSON).body(Map.of("name", "  ")).post("/v1/projects/{id}/shots", projectId),
                422,
                "validation_failed");
        problem(
                as(owner)
                        .contentType(JSON)
                        .body(Map.of("name", "x".repeat(201)))
                        .post("/v1/projects/{id}/shots", projectId),
                422,
                "validation_failed");
        problem(
                as(owner).contentType(JSON).body(Map.of("name", 7)).post("/v1/projects/{id}/shots", projectId),
                422,
                "validation_failed");
        problem(
                as(owner).contentType(JSON).body("[1,2]").post("/v1/projects/{id}/shots", projectId),
                422,
                "validation_failed");
        problem(
                as(owner).contentType(JSON).body("{\"name\":").post("/v1/projects/{id}/shots", projectId),
                400,
                "malformed_json");
        problem(
                as(owner).contentType(JSON).body(Map.of("name", "")).patch("/v1/shots/{id}", shotId),
                422,
                "validation_failed");
        problem(
                as(owner)
                        .contentType(JSON)
                        .body(Map.of("position", -1))
                        .put("/v1/shots/{id}/generations/{g}", shotId, generationId),
                422,
                "validation_failed");
        problem(
                as(owner)
                        .contentType(JSON)
                        .body(Map.of("position", "first"))
                        .put("/v1/shots/{id}/generations/{g}", shotId, generationId),
                422,
                "validation_failed");
        problem(
                as(owner)
                        .contentType(JSON)
                        .body(Map.of("position", 1.5))
                        .put("/v1/shots/{id}/generations/{g}", shotId, generationId),
                422,
                "validation_failed");
        problem(
                as(owner).queryParam("page", 0).get("/v1/projects/{id}/generations", projectId),
                422,
                "validation_failed");
        problem(
                as(owner).queryParam("limit", 101).get("/v1/projects/{id}/generations", projectId),
                422,
                "validation_failed");
        problem(
                as(owner).queryParam("limit", "ten").get("/v1/projects/{id}/generations", projectId),
                422,
                "validation_failed");
        problem(
                as(owner).queryParam("type", "gif").get("/v1/projects/{id}/generations", projectId),
                422,
                "validation_failed");
        problem(
                as(owner).queryParam("shotId", "nope").get("/v1/projects/{id}/generations", projectId),
                422,
                "validation_failed");
        problem(
                as(owner).queryParam("unpositioned", "maybe").get("/v1/projects/{id}/generations", projectId),
                422,
                "validation_failed");
        problem(as(owner).get("/v1/generations"), 422, "validation_failed");
        problem(as(owner).get("/v1/generations?taskId=123"), 422, "validation_failed");
        problem(as(owner).get("/v1/generations/{id}", "not-a-uuid"), 404, "not_found");

        as(owner)
                .get("/v1/projects/{id}/shots", projectId)
                .then()
                .statusCode(200)
                .body("name", contains("keep"));
        as(owner)
                .get("/v1/generations/{id}", generationId)
                .then()
                .statusCode(200)
                .body("shots", hasSize(1))
                .body("shots[0].position", nullValue());
    }

    @Test
    void aGenerationOfAnotherProjectCannotBePlacedInTheShot() {
        UUID owner = UUID.randomUUID();
        UUID projectA = Fixtures.project(owner);
        UUID projectB = Fixtures.project(owner);
        UUID shotA = Fixtures.shot(owner, projectA, "a");
        UUID generationB = Fixtures.generation(owner, projectB, null, "single_image", "image");

        problem(
                as(owner)
                        .contentType(JSON)
                        .body(Map.of("position", 0))
                        .put("/v1/shots/{id}/generations/{g}", shotA, generationB),
                422,
                "validation_failed");
        as(owner)
                .get("/v1/shots/{id}/generations", shotA)
                .then()
                .statusCode(200)
                .body("$", empty());
    }

    @Test
    void theProjectGalleryIsNewestFirstPaginatedAndFiltered() {
        UUID owner = UUID.randomUUID();
        UUID projectId = Fixtures.project(owner);
        UUID shotId = Fixtures.shot(owner, projectId, "filter");
        UUID first = Fixtures.generation(owner, projectId, shotId, "single_image", "image");
        UUID second = Fixtures.generation(owner, projectId, null, "single_image", "image");
        UUID third = Fixtures.generation(owner, projectId, shotId, "travel_stitch", "video");
        as(owner)
                .contentType(JSON)
                .body(Map.of("position", 0))
                .put("/v1/shots/{id}/generations/{g}", shotId, first)
                .then()
                .statusCode(200);

        as(owner)
                .queryParam("limit", 2)
                .get("/v1/projects/{id}/generations", projectId)
                .then()
                .statusCode(200)
                .body("total", is(3))
                .body("page", is(1))
                .body("limit", is(2))
                .body("items.id", contains(third.toString(), second.toString()))
                .body("items[0].params", nullValue());
        as(owner)
                .queryParam("limit", 2)
                .queryParam("page", 2)
                .get("/v1/projects/{id}/generations", projectId)
                .then()
                .statusCode(200)
                .body("total", is(3))
                .body("items.id", contains(first.toString()));
        as(owner)
                .queryParam("type", "video")
                .queryParam("includeTaskData", true)
                .get("/v1/projects/{id}/generations", projectId)
                .then()
                .body("total", is(1))
                .body("items.id", contains(third.toString()))
                .body("items[0].params.prompt", is("p"));
        as(owner)
                .queryParam("shotId", shotId)
                .get("/v1/projects/{id}/generations", projectId)
                .then()
                .body("items.id", contains(third.toString(), first.toString()));
        as(owner)
                .queryParam("shotId", shotId)
                .queryParam("unpositioned", true)
                .get("/v1/projects/{id}/generations", projectId)
                .then()
                .body("items.id", contains(third.toString()));
        as(owner)
                .queryParam("unpositioned", true)
                .get("/v1/projects/{id}/generations", projectId)
                .then()
                .body("items.id", contains(third.toString(), second.toString()));
    }

    @Test
    void shotsAreCreatedListedRenamedAndDeleted() {
        UUID owner = UUID.randomUUID();
        UUID projectId = Fixtures.project(owner);
        UUID a = Fixtures.shot(owner, projectId, "a");
        UUID b = Fixtures.shot(owner, projectId, "b");
        UUID generationId = Fixtures.generation(owner, projectId, b, "single_image", "image");

        as(owner)
                .get("/v1/projects/{id}/shots", projectId)
                .then()
                .statusCode(200)
                .body("id", contains(a.toString(), b.toString()))
                .body("[0].projectId", is(projectId.toString()))
                .body("[0].createdAt", notNullValue());
        as(owner)
                .contentType(JSON)
                .body(Map.of("name", "  renamed "))
                .patch("/v1/shots/{id}", a)
                .then()
                .statusCode(200)
                .body("name", is("renamed"))
                .body("id", is(a.toString()));
        as(owner).delete("/v1/shots/{id}", b).then().statusCode(204);

        as(owner).get("/v1/projects/{id}/shots", projectId).then().body("name", contains("renamed"));
        problem(as(owner).get("/v1/shots/{id}/generations", b), 404, "not_found");
        as(owner)
                .get("/v1/generations/{id}", generationId)
                .then()
                .statusCode(200)
                .body("shots", empty());
    }

    @Test
    void aShotListsItsGenerationsByPositionWithUnpositionedLast() {
        UUID owner = UUID.randomUUID();
        UUID projectId = Fixtures.project(owner);
        UUID shotId = Fixtures.shot(owner, projectId, "ordered");
        UUID g1 = Fixtures.generation(owner, projectId, shotId, "single_image", "image");
        UUID g2 = Fixtures.generation(owner, projectId, shotId, "single_image", "image");
        UUID g3 = Fixtures.generation(owner, projectId, null, "single_image", "image");
        UUID g4 = Fixtures.generation(owner, projectId, shotId, "single_image", "image");

        as(owner)
                .get("/v1/shots/{id}/unpositioned-count", shotId)
                .then()
                .statusCode(200)
                .body("count", is(3));
        as(owner)
                .contentType(JSON)
                .body(Map.of("position", 5))
                .put("/v1/shots/{id}/generations/{g}", shotId, g2)
                .then()
                .statusCode(200)
                .body("id", is(g2.toString()))
                .body("shots[0].position", is(5));
        as(owner)
                .contentType(JSON)
                .body(Map.of("position", 1))
                .put("/v1/shots/{id}/generations/{g}", shotId, g3)
                .then()
                .statusCode(200);

        as(owner)
                .get("/v1/shots/{id}/generations", shotId)
                .then()
                .statusCode(200)
                .body("id", contains(g3.toString(), g2.toString(), g1.toString(), g4.toString()))
                .body("position", contains(1, 5, null, null));
        as(owner).get("/v1/shots/{id}/unpositioned-count", shotId).then().body("count", is(2));

        as(owner)
                .contentType(JSON)
                .body("{\"position\":null}")
                .put("/v1/shots/{id}/generations/{g}", shotId, g2)
                .then()
                .statusCode(200);
        as(owner).delete("/v1/shots/{id}/generations/{g}", shotId, g1).then().statusCode(204);
        problem(as(owner).delete("/v1/shots/{id}/generations/{g}", shotId, g1), 404, "not_found");

        as(owner)
                .get("/v1/shots/{id}/generations", shotId)
                .then()
                .body("id", contains(g3.toString(), g2.toString(), g4.toString()))
                .body("position", contains(1, null, null));
        as(owner).get("/v1/shots/{id}/unpositioned-count", shotId).then().body("count", is(2));
        as(owner).get("/v1/generations/{id}", g1).then().statusCode(200).body("shots", empty());
    }

    @Test
    void aDeletedGenerationIsGoneAndARedeliveredCompletionOfItsTaskDoesNotBringItBack() {
        UUID owner = UUID.randomUUID();
        UUID projectId = Fixtures.project(owner);
        UUID shotId = Fixtures.shot(owner, projectId, "s");
        UUID generationId = Fixtures.generation(owner, projectId, shotId, "single_image", "image");
        String taskId = as(owner)
                .get("/v1/generations/{id}", generationId)
                .then()
                .extract()
                .path("taskIds[0]");

        as(owner).delete("/v1/generations/{id}", generationId).then().statusCode(204);
        problem(as(owner).get("/v1/generations/{id}", generationId), 404, "not_found");
        problem(as(owner).delete("/v1/generations/{id}", generationId), 404, "not_found");

        EventEnvelope again = Fixtures.singleImage(projectId, owner, UUID.fromString(taskId), shotId);
        Fixtures.send(Topics.TASK_EVENTS, projectId.toString(), again);
        UUID marker = Fixtures.generation(owner, projectId, null, "single_image", "image");
        assertThat(marker).isNotEqualTo(generationId);
        as(owner).get("/v1/generations?taskId=" + taskId).then().statusCode(200).body("$", empty());
        as(owner).get("/v1/shots/{id}/generations", shotId).then().body("$", empty());
        as(owner).get("/v1/projects/{id}/generations", projectId).then().body("total", is(1));
    }

    @Test
    void aDeletedProjectTombstoneHidesItsGalleries() {
        UUID owner = UUID.randomUUID();
        UUID projectId = Fixtures.project(owner);
        Fixtures.generation(owner, projectId, null, "single_image", "image");

        Fixtures.send(Topics.PROJECTS, projectId.toString(), (byte[]) null);

        await().atMost(Duration.ofSeconds(20))
                .until(() -> as(owner)
                                .get("/v1/projects/{id}/generations", projectId)
                                .statusCode()
                        == 404);
        problem(as(owner).get("/v1/projects/{id}/shots", projectId), 404, "not_found");
    }

    private static ValidatableResponse problem(io.restassured.response.Response response, int status, String code) {
        return response.then()
                .statusCode(status)
                .contentType("application/problem+json")
                .body("status", is(status))
                .body("code", is(code))
                .body("type", notNullValue())
                .body("title", notNullValue())
                .body("detail", notNullValue());
    }
}
