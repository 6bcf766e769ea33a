package dev.conveyor.taskapi;

import static io.restassured.RestAssured.given;

import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.devstack.Postgres;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Test helpers: tokens, a user with credits and a project, direct reads of the database. */
final class Fixtures {
    private Fixtures() {}

    static String token(UUID subject, String role) {
        return DevstackResource.keys().token(subject, List.of(role), Duration.ofMinutes(10));
    }

    static RequestSpecification as(UUID subject, String role) {
        return given().contentType(ContentType.JSON).header("Authorization", "Bearer " + token(subject, role));
    }

    static RequestSpecification admin() {
        return as(UUID.randomUUID(), "admin");
    }

    static RequestSpecification worker() {
        return as(UUID.randomUUID(), "worker");
    }

    /** A user with {@code credits} and one project. */
    record User(UUID id, String projectId) {
        RequestSpecification api() {
            return as(id, "user");
        }

        String createTask(String type, Map<String, Object> params) {
            return api().body(Map.of("projectId", projectId, "taskType", type, "params", params))
                    .post("/v1/tasks")
                    .then()
                    .statusCode(201)
                    .extract()
                    .path("id");
        }

        Map<String, Object> task(String id) {
            return api().get("/v1/tasks/" + id)
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath()
                    .getMap("");
        }

        Map<String, Object> account() {
            return api().get("/v1/account")
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath()
                    .getMap("");
        }
    }

    /**
     * travel_orchestrator params with {@code segments} segments: the pipeline costs 2 (itself) + 3 per segment (its
     * travel_segment children) + 1 (its travel_stitch child).
     */
    static Map<String, Object> orchestrator(int segments) {
        List<Map<String, Object>> list = new java.util.ArrayList<>();
        for (int i = 0; i < segments; i++) {
            list.add(Map.of("prompt", "segment " + i));
        }
        return Map.of("full_orchestrator_payload", Map.of("segments", list));
    }

    static long orchestratorCost(int segments) {
        return 2 + 3L * segments + 1;
    }

    static User user(long credits) {
        UUID id = UUID.randomUUID();
        if (credits > 0) {
            grant(id, credits);
        }
        String project = as(id, "user")
                .body(Map.of("name", "p-" + id))
                .post("/v1/projects")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        return new User(id, project);
    }

    static void grant(UUID user, long credits) {
        admin().body(Map.of("amount", credits, "reason", "test"))
                .post("/v1/admin/accounts/" + user + "/credits")
                .then()
                .statusCode(200);
    }

    /** A test-only capability so claims in one test never take another test's single_image tasks. */
    static String uniqueType() {
        return "test_short_lease";
    }

    static Response claim(String workerId, List<String> capabilities, int max, int waitSeconds) {
        return worker().body(Map.of(
                        "workerId", workerId, "capabilities", capabilities, "max", max, "waitSeconds", waitSeconds))
                .post("/v1/worker/claim");
    }

    static Connection db() throws Exception {
        return DriverManager.getConnection(
                DevstackResource.devstack().postgres().jdbcUrl("conveyor_tasks"), Postgres.USER, Postgres.PASSWORD);
    }

    static long queryLong(String sql) throws Exception {
        try (Connection c = db();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Row counts and credit sums of every table a request may change: equal before and after means nothing changed. */
    static String dbState() throws Exception {
        return queryLong("SELECT count(*) FROM tasks") + "/" + queryLong("SELECT coalesce(sum(held), 0) FROM accounts")
                + "/"
                + queryLong("SELECT coalesce(sum(balance), 0) FROM accounts") + "/"
                + queryLong("SELECT count(*) FROM outbox") + "/"
                + queryLong("SELECT count(*) FROM projects") + "/" + queryLong("SELECT count(*) FROM credit_ledger")
                + "/"
                + queryLong("SELECT count(*) FROM task_leads");
    }

    /** The first column of the first row as text; null when there is no row. */
    static String queryString(String sql) throws Exception {
        try (Connection c = db();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    static void execute(String sql) throws Exception {
        try (Connection c = db();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Takes every unfinished task of earlier tests out of the queue, so claims in this test see only its own tasks. */
    static void isolateQueue() throws Exception {
        execute(
                "UPDATE tasks SET status = 'cancelled', lease_expires_at = NULL WHERE status IN ('queued', 'waiting', 'in_progress')");
    }
}
