package dev.conveyor.taskapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.devstack.RawHttp;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile input (issue 13, item 7): repeated keys, trailing values, coercions, NUL characters, deep nesting, oversize
 * fields and requests each get a 4xx problem+json with a stable code and change nothing; a stored task never breaks a claim.
 */
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class HostileInputTest {
    static final String NUL = "a\u0000b";
    Fixtures.User user;
    String task;
    String leaseBody;

    @BeforeEach
    void user() throws Exception {
        Fixtures.isolateQueue();
        user = Fixtures.user(50);
        task = user.createTask("single_image", Map.of("prompt", "mine"));
        leaseBody = "\"workerId\":\"w\",\"leaseToken\":\"" + UUID.randomUUID() + "\"";
    }

    private void refused(int status, String code, Supplier<Response> call) throws Exception {
        String before = Fixtures.dbState();
        Response r = call.get();
        assertThat(r.statusCode()).as(r.body().asString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.jsonPath().getString("code")).as(r.body().asString()).isEqualTo(code);
        assertThat(r.jsonPath().getInt("status")).isEqualTo(status);
        assertThat(Fixtures.dbState()).isEqualTo(before);
    }

    private String createJson(String params, String extra) {
        return "{\"projectId\":\"" + user.projectId() + "\",\"taskType\":\"single_image\",\"params\":" + params + extra
                + "}";
    }

    private Response create(Object body) {
        return user.api().body(body).post("/v1/tasks");
    }

    /** Params {@code levels} deep: {"prompt":"p","a":{"a":...{"x":inner}}}. */
    private static String nested(int levels, String inner) {
        return "{\"prompt\":\"p\",\"a\":" + "{\"a\":".repeat(levels - 2) + "{\"x\":" + inner + "}"
                + "}".repeat(levels - 2) + "}";
    }

    /** Was 403 here (401 in generation-service, 404 in the gateway): a token whose sub is no user id is 401 everywhere. */
    @Test
    void aTokenWhoseSubjectIsNotAUserIdIs401InvalidSubject() throws Exception {
        String bad = DevstackResource.keys()
                .token("not-a-user-id", List.of("user"), java.time.Instant.now(), java.time.Duration.ofMinutes(10));
        refused(
                401,
                "invalid_subject",
                () -> io.restassured.RestAssured.given()
                        .auth()
                        .oauth2(bad)
                        .contentType("application/json")
                        .body(createJson("{\"prompt\":\"p\"}", ""))
                        .post("/v1/tasks"));
        Response r = io.restassured.RestAssured.given().auth().oauth2(bad).get("/v1/projects");
        assertThat(r.jsonPath().getString("type")).isEqualTo("https://conveyor.dev/problems/invalid_subject");
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
    }

    @Test
    void aRepeatedKeyIsMalformedJsonOnEveryJsonEndpoint() throws Exception {
        String p = "/v1/projects/" + user.projectId();
        String w = "/v1/worker/tasks/" + task;
        refused(
                400,
                "malformed_json",
                () -> user.api().body("{\"name\":\"a\",\"name\":\"b\"}").post("/v1/projects"));
        refused(
                400,
                "malformed_json",
                () -> user.api().body("{\"name\":\"a\",\"name\":\"b\"}").patch(p));
        refused(
                400,
                "malformed_json",
                () -> create(createJson("{\"prompt\":\"a\"}", ",\"taskType\":\"single_image\"")));
        refused(400, "malformed_json", () -> create(createJson("{\"prompt\":\"a\",\"prompt\":\"b\"}", "")));
        refused(
                400,
                "malformed_json",
                () -> user.api()
                        .body("{\"tasks\":[" + createJson("{\"prompt\":\"a\"}", ",\"priority\":1,\"priority\":2")
                                + "]}")
                        .post("/v1/tasks/batch"));
        refused(
                400,
                "malformed_json",
                () -> user.api()
                        .body("{\"taskType\":\"single_image\",\"taskType\":\"x\"}")
                        .post("/v1/tasks/estimate"));
        refused(
                400,
                "malformed_json",
                () -> user.api().body("{\"clientId\":\"a\",\"clientId\":\"b\"}").post("/v1/task-lead"));
        refused(
                400,
                "malformed_json",
                () -> Fixtures.admin()
                        .body("{\"amount\":1,\"amount\":2}")
                        .post("/v1/admin/accounts/" + user.id() + "/credits"));
        refused(
                400,
                "malformed_json",
                () -> Fixtures.worker()
                        .body("{\"workerId\":\"w\",\"workerId\":\"v\"}")
                        .post("/v1/worker/claim"));
        refused(
                400,
                "malformed_json",
                () -> Fixtures.worker()
                        .body("{" + leaseBody + ",\"progress\":1,\"progress\":2}")
                        .post(w + "/heartbeat"));
        refused(
                400,
                "malformed_json",
                () -> Fixtures.worker()
                        .body("{" + leaseBody + ",\"metadata\":{},\"metadata\":{}}")
                        .post(w + "/complete"));
        refused(
                400,
                "malformed_json",
                () -> Fixtures.worker()
                        .body("{\"workerId\":\"w\",\"workerId\":\"w\",\"tasks\":[]}")
                        .post("/v1/worker/complete"));
        refused(
                400,
                "malformed_json",
                () -> Fixtures.worker()
                        .body("{" + leaseBody + ",\"error\":\"x\",\"error\":\"y\"}")
                        .post(w + "/fail"));
        refused(
                400,
                "malformed_json",
                () -> Fixtures.worker()
                        .body("{" + leaseBody + ",\"taskType\":\"single_image\",\"taskType\":\"x\"}")
                        .post(w + "/children"));
    }

    @Test
    void trailingValuesAndCoercionsThatChangeMeaningAreRefused() throws Exception {
        refused(400, "malformed_json", () -> create(createJson("{\"prompt\":\"a\"}", "") + "{\"second\":1}"));
        refused(400, "malformed_json", () -> create(createJson("{\"prompt\":\"a\"}", "") + " garbage"));
        refused(
                400,
                "malformed_json",
                () -> user.api().body("{\"name\":\"x\"}]").post("/v1/projects"));
        refused(
                422,
                "validation_failed",
                () -> Fixtures.admin().body("{\"amount\":1.5}").post("/v1/admin/accounts/" + user.id() + "/credits"));
        refused(
                422,
                "validation_failed",
                () -> Fixtures.admin().body("{\"amount\":\"5\"}").post("/v1/admin/accounts/" + user.id() + "/credits"));
        refused(
                422,
                "validation_failed",
                () -> Fixtures.admin().body("{\"amount\":2.0}").post("/v1/admin/accounts/" + user.id() + "/credits"));
        refused(422, "validation_failed", () -> create(createJson("{\"prompt\":\"a\"}", ",\"priority\":\"1000\"")));
        refused(422, "validation_failed", () -> create(createJson("{\"prompt\":\"a\"}", ",\"priority\":1.5")));
        refused(422, "validation_failed", () -> create(createJson("{\"prompt\":5}", "")));
        refused(422, "validation_failed", () -> create(createJson("{\"prompt\":[\"a\"]}", "")));
        refused(422, "validation_failed", () -> create(createJson("{\"prompt\":{\"text\":\"a\"}}", "")));
        refused(422, "validation_failed", () -> create(createJson("{\"prompt\":\"a\",\"num_images\":\"2\"}", "")));
        refused(
                422,
                "validation_failed",
                () -> user.api().body("{\"clientId\":5}").post("/v1/task-lead"));
        refused(
                422,
                "validation_failed",
                () -> user.api().body("{\"name\":true}").post("/v1/projects"));
        refused(
                422,
                "validation_failed",
                () -> Fixtures.worker()
                        .body("{\"workerId\":\"w\",\"max\":\"3\"}")
                        .post("/v1/worker/claim"));
        refused(
                422,
                "validation_failed",
                () -> Fixtures.worker()
                        .body("{\"workerId\":\"w\",\"max\":1,\"waitSeconds\":0.5}")
                        .post("/v1/worker/claim"));
        assertThat(user.account()).containsEntry("balance", 50);
    }

    @Test
    void aNulCharacterInAnyStoredStringIsRefused() throws Exception {
        String w = "/v1/worker/tasks/" + task;
        UUID lease = UUID.randomUUID();
        refused(
                422,
                "validation_failed",
                () -> user.api().body(Map.of("name", NUL)).post("/v1/projects"));
        refused(
                422,
                "validation_failed",
                () -> user.api().body(Map.of("name", NUL)).patch("/v1/projects/" + user.projectId()));
        refused(
                422,
                "validation_failed",
                () -> create(Map.of(
                        "projectId", user.projectId(), "taskType", "single_image", "params", Map.of("prompt", NUL))));
        refused(
                422,
                "validation_failed",
                () -> create(Map.of(
                        "projectId",
                        user.projectId(),
                        "taskType",
                        "single_image",
                        "params",
                        Map.of("prompt", "a", NUL, 1))));
        refused(
                422,
                "validation_failed",
                () -> create(Map.of(
                        "projectId",
                        user.projectId(),
                        "taskType",
                        "single_image",
                        "params",
                        Map.of("prompt", "a", "list", List.of(Map.of("deep", NUL))))));
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
                        "idempotencyKey",
                        NUL)));
        refused(
                422,
                "validation_failed",
                () -> create(Map.of("projectId", user.projectId(), "taskType", NUL, "params", Map.of())));
        refused(
                422,
                "validation_failed",
                () -> user.api().body(Map.of("clientId", NUL)).post("/v1/task-lead"));
        refused(
                422,
                "validation_failed",
                () -> Fixtures.admin()
                        .body(Map.of("amount", 1, "reason", NUL))
                        .post("/v1/admin/accounts/" + user.id() + "/credits"));
        refused(
                422,
                "validation_failed",
                () -> Fixtures.worker().body(Map.of("workerId", NUL)).post("/v1/worker/claim"));
        refused(
                422,
                "validation_failed",
                () -> Fixtures.worker()
                        .body(Map.of("workerId", "w", "capabilities", List.of(NUL)))
                        .post("/v1/worker/claim"));
        refused(
                422,
                "validation_failed",
                () -> Fixtures.worker()
                        .body(Map.of("workerId", "w", "leaseToken", lease, "message", NUL))
                        .post(w + "/heartbeat"));
        refused(
                422,
                "validation_failed",
                () -> Fixtures.worker()
                        .body(Map.of("workerId", "w", "leaseToken", lease, "outputLocation", NUL))
                        .post(w + "/complete"));
        refused(
                422,
                "validation_failed",
                () -> Fixtures.worker()
                        .body(Map.of("workerId", "w", "leaseToken", lease, "metadata", Map.of("k", NUL)))
                        .post(w + "/complete"));
        refused(
                422,
                "validation_failed",
                () -> Fixtures.worker()
                        .body(Map.of(
                                "workerId",
                                "w",
                                "tasks",
                                List.of(Map.of("taskId", task, "leaseToken", lease, "metadata", Map.of(NUL, 1)))))
                        .post("/v1/worker/complete"));
        refused(
                422,
                "validation_failed",
                () -> Fixtures.worker()
                        .body(Map.of("workerId", "w", "leaseToken", lease, "error", NUL))
                        .post(w + "/fail"));
        refused(
                422,
                "validation_failed",
                () -> Fixtures.worker()
                        .body(Map.of(
                                "workerId",
                                "w",
                                "leaseToken",
                                lease,
                                "taskType",
                                "single_image",
                                "params",
                                Map.of("prompt", NUL)))
                        .post(w + "/children"));
        refused(
                422,
                "validation_failed",
                () -> user.api()
                        .urlEncodingEnabled(false)
                        .get("/v1/projects/" + user.projectId() + "/tasks?taskType=a%00b"));
    }

    @Test
    void deepNestingIsRefusedAtCreateAndComplete() throws Exception {
        assertThat(create(createJson(nested(32, "\"ok\""), "")).statusCode()).isEqualTo(201);
        refused(422, "validation_failed", () -> create(createJson(nested(33, "\"a\""), "")));
        refused(422, "validation_failed", () -> create(createJson(nested(1000, "\"a\""), "")));
        refused(
                422,
                "validation_failed",
                () -> user.api()
                        .body("{\"taskType\":\"single_image\",\"params\":" + nested(33, "\"a\"") + "}")
                        .post("/v1/tasks/estimate"));
        refused(
                422,
                "validation_failed",
                () -> Fixtures.worker()
                        .body("{" + leaseBody + ",\"metadata\":" + nested(33, "1") + "}")
                        .post("/v1/worker/tasks/" + task + "/complete"));
    }

    @Test
    void oversizeFieldsAreRefusedSoNoEventNearsTheKafkaRecordLimit() throws Exception {
        refused(
                413,
                "params_too_large",
                () -> create(Map.of(
                        "projectId",
                        user.projectId(),
                        "taskType",
                        "single_image",
                        "params",
                        Map.of("prompt", "x".repeat(65 * 1024)))));
        refused(
                413,
                "metadata_too_large",
                () -> Fixtures.worker()
                        .body(Map.of(
                                "workerId",
                                "w",
                                "leaseToken",
                                UUID.randomUUID(),
                                "metadata",
                                Map.of("blob", "x".repeat(900_000))))
                        .post("/v1/worker/tasks/" + task + "/complete"));
        refused(
                413,
                "metadata_too_large",
                () -> Fixtures.worker()
                        .body(Map.of(
                                "workerId",
                                "w",
                                "tasks",
                                List.of(Map.of(
                                        "taskId",
                                        task,
                                        "leaseToken",
                                        UUID.randomUUID(),
                                        "metadata",
                                        Map.of("blob", "x".repeat(70_000))))))
                        .post("/v1/worker/complete"));
        refused(
                422,
                "validation_failed",
                () -> Fixtures.worker()
                        .body(Map.of("workerId", "w", "capabilities", List.of("c".repeat(101))))
                        .post("/v1/worker/claim"));
        Response unknown =
                create(Map.of("projectId", user.projectId(), "taskType", "t".repeat(500_000), "params", Map.of()));
        assertThat(unknown.statusCode()).isEqualTo(422);
        assertThat(unknown.body().asString().length()).isLessThan(2000);
    }

    @Test
    void aHugeFailErrorIsTruncatedAndTheFailedEventStaysSmall() throws Exception {
        // single_image: a 5 min lease, so the reaper cannot take the task back while the 900 KB request is on its way.
        String mine = user.createTask("single_image", Map.of("prompt", "fails"));
        Fixtures.execute("UPDATE tasks SET status = 'cancelled' WHERE id = '" + task + "'");
        Map<String, Object> claimed = Fixtures.claim("w-err", List.of(), 1, 0)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getMap("tasks[0]");
        assertThat(claimed).containsEntry("id", mine);
        Fixtures.worker()
                .body(Map.of(
                        "workerId",
                        "w-err",
                        "leaseToken",
                        claimed.get("leaseToken"),
                        "error",
                        "e".repeat(900_000),
                        "retryable",
                        false))
                .post("/v1/worker/tasks/" + mine + "/fail")
                .then()
                .statusCode(200);
        assertThat(Fixtures.queryLong("SELECT length(error_message) FROM tasks WHERE id = '" + mine + "'"))
                .isEqualTo(8192);
        assertThat(Fixtures.queryString("SELECT error_message FROM tasks WHERE id = '" + mine + "'"))
                .endsWith("... [truncated]");
    }

    @Test
    void aDeeplyNestedStoredTaskStillClaimsAndLists() throws Exception {
        // A row an earlier version accepted (params nested 999 levels): the claim answers it instead of failing after
        // commit.
        String old = user.createTask(Fixtures.uniqueType(), Map.of());
        Fixtures.execute("UPDATE tasks SET params = '" + nested(999, "1") + "'::jsonb WHERE id = '" + old + "'");
        Response claim = Fixtures.claim("w-deep", List.of("test"), 5, 0);
        assertThat(claim.statusCode()).as(claim.body().asString()).isEqualTo(200);
        assertThat(claim.body().asString()).contains("\"id\":\"" + old + "\"").contains("\"status\":\"in_progress\"");
        Response list = user.api().get("/v1/projects/" + user.projectId() + "/tasks");
        assertThat(list.statusCode()).as(list.body().asString()).isEqualTo(200);
        assertThat(list.body().asString()).contains("\"id\":\"" + old + "\"");
    }

    @Test
    void httpLayerLimitsAnswerProblemJson() throws Exception {
        String token = Fixtures.token(user.id(), "user");
        RawHttp.Answer body = RawHttp.send(
                RestAssured.port,
                "POST /v1/projects HTTP/1.1\r\nAuthorization: Bearer " + token
                        + "\r\nContent-Type: application/json\r\nContent-Length: 2000000");
        assertProblem(body, 413, "payload_too_large");
        RawHttp.Answer uri = RawHttp.send(RestAssured.port, "GET /v1/projects?x=" + "a".repeat(5000) + " HTTP/1.1");
        assertProblem(uri, 414, "uri_too_long");
        RawHttp.Answer headers =
                RawHttp.send(RestAssured.port, "GET /v1/projects HTTP/1.1\r\nX-Big: " + "h".repeat(20_000));
        assertProblem(headers, 431, "headers_too_large");
        String before = Fixtures.dbState();
        var streamed = RawHttp.chunked(RestAssured.port, "/v1/projects", token, 2_000_000);
        assertThat(streamed.statusCode()).isEqualTo(413);
        assertThat(streamed.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(streamed.body()).contains("\"code\":\"payload_too_large\"");
        assertThat(Fixtures.dbState()).isEqualTo(before);
    }

    private static void assertProblem(RawHttp.Answer a, int status, String code) {
        assertThat(a.status()).as(a.headers()).isEqualTo(status);
        assertThat(a.headers().toLowerCase()).contains("content-type: application/problem+json");
        assertThat(a.body()).contains("\"code\":\"" + code + "\"").contains("\"status\":" + status);
    }
}
