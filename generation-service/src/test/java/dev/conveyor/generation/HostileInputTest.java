package dev.conveyor.generation;

import static dev.conveyor.generation.Fixtures.as;
import static io.restassured.http.ContentType.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.devstack.RawHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile input (issue 13, item 7) on generation-service: repeated keys, trailing values, NUL characters, deep nesting
 * and oversize requests each get a 4xx problem+json with a stable code and change nothing; one body limit (1 MB) as task-api.
 */
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_generations"))
class HostileInputTest {
    UUID owner;
    UUID projectId;
    UUID shotId;
    UUID generationId;

    @BeforeEach
    void shot() {
        owner = UUID.randomUUID();
        // The first test of a fresh service may run before the projects consumer has its partitions: publish again
        // until it has.
        await().atMost(Duration.ofMinutes(3)).ignoreExceptions().until(() -> {
            projectId = Fixtures.project(owner);
            return true;
        });
        shotId = Fixtures.shot(owner, projectId, "keep");
        generationId = Fixtures.generation(owner, projectId, shotId, "single_image", "image");
    }

    private static void problem(Response r, int status, String code) {
        assertThat(r.statusCode()).as(r.body().asString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.jsonPath().getString("code")).isEqualTo(code);
        assertThat(r.jsonPath().getInt("status")).isEqualTo(status);
    }

    private void unchanged() {
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
    void repeatedKeysAndTrailingValuesAreMalformedJson() {
        problem(
                as(owner)
                        .contentType(JSON)
                        .body("{\"name\":\"a\",\"name\":\"b\"}")
                        .post("/v1/projects/{id}/shots", projectId),
                400,
                "malformed_json");
        problem(
                as(owner)
                        .contentType(JSON)
                        .body("{\"name\":\"a\",\"name\":\"b\"}")
                        .patch("/v1/shots/{id}", shotId),
                400,
                "malformed_json");
        problem(
                as(owner)
                        .contentType(JSON)
                        .body("{\"position\":1,\"position\":2}")
                        .put("/v1/shots/{id}/generations/{g}", shotId, generationId),
                400,
                "malformed_json");
        problem(
                as(owner)
                        .contentType(JSON)
                        .body("{\"name\":\"a\"}{\"name\":\"b\"}")
                        .post("/v1/projects/{id}/shots", projectId),
                400,
                "malformed_json");
        problem(
                as(owner)
                        .contentType(JSON)
                        .body("{\"position\":1} trailing")
                        .put("/v1/shots/{id}/generations/{g}", shotId, generationId),
                400,
                "malformed_json");
        unchanged();
    }

    @Test
    void aNulCharacterAnywhereIsRefused() {
        problem(
                as(owner).contentType(JSON).body(Map.of("name", "a\u0000b")).post("/v1/projects/{id}/shots", projectId),
                422,
                "validation_failed");
        problem(
                as(owner).contentType(JSON).body(Map.of("name", "a\u0000b")).patch("/v1/shots/{id}", shotId),
                422,
                "validation_failed");
        problem(
                as(owner)
                        .contentType(JSON)
                        .body(Map.of("name", "ok", "x\u0000", 1))
                        .post("/v1/projects/{id}/shots", projectId),
                422,
                "validation_failed");
        problem(
                as(owner).urlEncodingEnabled(false).get("/v1/projects/" + projectId + "/generations?type=image%00"),
                422,
                "validation_failed");
        unchanged();
    }

    @Test
    void deepNestingIsRefused() {
        String deep = "{\"name\":\"n\",\"x\":" + "[".repeat(100) + "]".repeat(100) + "}";
        problem(
                as(owner).contentType(JSON).body(deep).post("/v1/projects/{id}/shots", projectId),
                422,
                "validation_failed");
        String deepish = "{\"name\":\"n\",\"x\":" + "[".repeat(35) + "]".repeat(35) + "}";
        problem(
                as(owner).contentType(JSON).body(deepish).post("/v1/projects/{id}/shots", projectId),
                422,
                "validation_failed");
        unchanged();
    }

    @Test
    void httpLayerLimitsAnswerProblemJsonWithTheOneBodyLimit() throws Exception {
        String token = Fixtures.token(owner);
        RawHttp.Answer declared = RawHttp.send(
                RestAssured.port,
                "POST /v1/projects/" + projectId + "/shots HTTP/1.1\r\nAuthorization: Bearer " + token
                        + "\r\nContent-Type: application/json\r\nContent-Length: 2000000");
        assertProblem(declared, 413, "payload_too_large");
        assertProblem(
                RawHttp.send(RestAssured.port, "GET /v1/generations?taskId=" + "a".repeat(5000) + " HTTP/1.1"),
                414,
                "uri_too_long");
        assertProblem(
                RawHttp.send(RestAssured.port, "GET /v1/generations HTTP/1.1\r\nX-Big: " + "h".repeat(20_000)),
                431,
                "headers_too_large");
        var streamed = RawHttp.chunked(RestAssured.port, "/v1/projects/" + projectId + "/shots", token, 2_000_000);
        assertThat(streamed.statusCode()).isEqualTo(413);
        assertThat(streamed.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(streamed.body()).contains("\"code\":\"payload_too_large\"");
        unchanged();
    }

    /** Was 401 unauthorized here (403 in task-api, 404 in the gateway); one type URI: the code as written (no dashes). */
    @Test
    void aTokenWhoseSubjectIsNotAUserIdIs401InvalidSubject() {
        String bad = DevstackResource.keys()
                .token(
                        "not-a-user-id",
                        java.util.List.of("user"),
                        java.time.Instant.now(),
                        java.time.Duration.ofMinutes(10));
        Response r = io.restassured.RestAssured.given().auth().oauth2(bad).get("/v1/generations/" + generationId);
        assertThat(r.statusCode()).as(r.body().asString()).isEqualTo(401);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.jsonPath().getString("code")).isEqualTo("invalid_subject");
        assertThat(r.jsonPath().getString("type")).isEqualTo("https://conveyor.dev/problems/invalid_subject");
    }

    @Test
    void aValidationProblemsTypeIsItsCodeAsWritten() {
        Response r = as(owner).get("/v1/generations/not-a-uuid");
        assertThat(r.jsonPath().getString("type"))
                .isEqualTo("https://conveyor.dev/problems/" + r.jsonPath().getString("code"));
    }

    private static void assertProblem(RawHttp.Answer a, int status, String code) {
        assertThat(a.status()).as(a.headers()).isEqualTo(status);
        assertThat(a.headers().toLowerCase()).contains("content-type: application/problem+json");
        assertThat(a.body()).contains("\"code\":\"" + code + "\"").contains("\"status\":" + status);
    }
}
