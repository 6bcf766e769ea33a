package dev.conveyor.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.devstack.RawHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The gateway's HTTP side answers problem+json for 401/403 of /v1/changes and for HTTP-layer limits (413, 414, 431). */
@QuarkusTest
@QuarkusTestResource(DevstackResource.class)
class HttpProblemsTest {

    private static void problem(Response r, int status, String code) {
        assertThat(r.statusCode()).as(r.body().asString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.jsonPath().getString("code")).isEqualTo(code);
        assertThat(r.jsonPath().getInt("status")).isEqualTo(status);
        assertThat(r.jsonPath().getString("title")).isNotBlank();
    }

    @Test
    void changesWithoutAValidUserTokenAre401AndWithAnotherRole403() {
        String channel = "user:" + UUID.randomUUID();
        Response none = given().queryParam("channel", channel).get("/v1/changes");
        problem(none, 401, "unauthorized");
        assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
        problem(
                given().auth()
                        .oauth2("not.a.jwt")
                        .queryParam("channel", channel)
                        .get("/v1/changes"),
                401,
                "unauthorized");
        String expired = DevstackResource.keys()
                .token(
                        UUID.randomUUID().toString(),
                        List.of("user"),
                        Instant.now().minus(Duration.ofHours(2)),
                        Duration.ofMinutes(10));
        problem(given().auth().oauth2(expired).queryParam("channel", channel).get("/v1/changes"), 401, "unauthorized");
        String worker = DevstackResource.keys().token(UUID.randomUUID(), List.of("worker"), Duration.ofMinutes(10));
        problem(given().auth().oauth2(worker).queryParam("channel", channel).get("/v1/changes"), 403, "forbidden");
    }

    /** Was 404 not_found here (401 in generation-service, 403 in task-api): one fault, one answer in every service. */
    @Test
    void aTokenWhoseSubjectIsNotAUserIdIs401InvalidSubject() {
        String bad =
                DevstackResource.keys().token("not-a-user-id", List.of("user"), Instant.now(), Duration.ofMinutes(10));
        Response r = given().auth()
                .oauth2(bad)
                .queryParam("channel", "user:" + UUID.randomUUID())
                .get("/v1/changes");
        problem(r, 401, "invalid_subject");
        assertThat(r.jsonPath().getString("type")).isEqualTo("https://conveyor.dev/problems/invalid_subject");
    }

    @Test
    void httpLayerLimitsAnswerProblemJson() throws Exception {
        assertProblem(
                RawHttp.send(
                        RestAssured.port,
                        "POST /v1/changes HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2000000"),
                413,
                "payload_too_large");
        assertProblem(
                RawHttp.send(RestAssured.port, "GET /v1/changes?channel=" + "a".repeat(5000) + " HTTP/1.1"),
                414,
                "uri_too_long");
        assertProblem(
                RawHttp.send(RestAssured.port, "GET /v1/changes HTTP/1.1\r\nX-Big: " + "h".repeat(20_000)),
                431,
                "headers_too_large");
    }

    private static void assertProblem(RawHttp.Answer a, int status, String code) {
        assertThat(a.status()).as(a.headers()).isEqualTo(status);
        assertThat(a.headers().toLowerCase()).contains("content-type: application/problem+json");
        assertThat(a.body()).contains("\"code\":\"" + code + "\"").contains("\"status\":" + status);
    }
}
