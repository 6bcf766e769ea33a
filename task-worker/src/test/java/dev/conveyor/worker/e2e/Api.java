package dev.conveyor.worker.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.contracts.Json;
import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.devstack.JsonHttp;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** A task-api client as a user (and an admin for credits) would call it, over plain HTTP. */
public final class Api {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final String base;
    private final UUID userId = UUID.randomUUID();
    private final String userToken;
    private final String adminToken;

    public Api(String base) {
        this.base = base;
        this.userToken = DevstackResource.keys().token(userId, List.of("user"), Duration.ofHours(1));
        this.adminToken = DevstackResource.keys().token(UUID.randomUUID(), List.of("admin"), Duration.ofHours(1));
    }

    /** A user with credits and a project; answers the project id. */
    public UUID newProject(long credits) {
        send(
                "POST",
                "/v1/admin/accounts/" + userId + "/credits",
                adminToken,
                Json.MAPPER.createObjectNode().put("amount", credits).put("reason", "test"),
                200);
        JsonNode p = send(
                "POST",
                "/v1/projects",
                userToken,
                Json.MAPPER.createObjectNode().put("name", "worker e2e"),
                201);
        return UUID.fromString(p.path("id").asText());
    }

    public JsonNode createTask(UUID projectId, String taskType, JsonNode params) {
        ObjectNode body = Json.MAPPER
                .createObjectNode()
                .put("projectId", projectId.toString())
                .put("taskType", taskType);
        body.set("params", params);
        return send("POST", "/v1/tasks", userToken, body, 201);
    }

    /** {@code n} tasks (1..100) in one {@code POST /v1/tasks/batch}. */
    public JsonNode createTasks(UUID projectId, String taskType, JsonNode params, int n) {
        var items = Json.MAPPER.createArrayNode();
        for (int i = 0; i < n; i++) {
            ObjectNode item =
                    items.addObject().put("projectId", projectId.toString()).put("taskType", taskType);
            item.set("params", params);
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.set("tasks", items);
        return send("POST", "/v1/tasks/batch", userToken, body, 201);
    }

    /** A task that stays waiting until every task in {@code dependsOn} completes. */
    public JsonNode createTask(UUID projectId, String taskType, JsonNode params, List<UUID> dependsOn) {
        ObjectNode body = Json.MAPPER
                .createObjectNode()
                .put("projectId", projectId.toString())
                .put("taskType", taskType);
        body.set("params", params);
        body.set(
                "dependsOn",
                Json.MAPPER.valueToTree(dependsOn.stream().map(UUID::toString).toList()));
        return send("POST", "/v1/tasks", userToken, body, 201);
    }

    /**
     * Acts as a worker: claims one task of {@code taskType} (which runs on {@code capability}) and completes it at once.
     * Answers the completed task.
     */
    public JsonNode claimAndComplete(String workerToken, String capability, String taskType) {
        ObjectNode claim = Json.MAPPER
                .createObjectNode()
                .put("workerId", "bench-gate")
                .put("max", 1)
                .put("waitSeconds", 10);
        claim.set("capabilities", Json.MAPPER.valueToTree(List.of(capability)));
        JsonNode task = send("POST", "/v1/worker/claim", workerToken, claim, 200)
                .path("tasks")
                .path(0);
        if (task.isMissingNode()) {
            throw new IllegalStateException("no " + taskType + " task to claim");
        }
        ObjectNode complete = Json.MAPPER
                .createObjectNode()
                .put("workerId", "bench-gate")
                .put("leaseToken", task.path("leaseToken").asText());
        return send("POST", "/v1/worker/tasks/" + task.path("id").asText() + "/complete", workerToken, complete, 200);
    }

    public JsonNode task(UUID id) {
        return send("GET", "/v1/tasks/" + id, userToken, null, 200);
    }

    /** The tasks created with parentTaskId = id, oldest first. */
    public JsonNode children(UUID id) {
        return send("GET", "/v1/tasks/" + id + "/children", userToken, null, 200);
    }

    public JsonNode account() {
        return send("GET", "/v1/account", userToken, null, 200);
    }

    public JsonNode tasks(UUID projectId) {
        return send("GET", "/v1/projects/" + projectId + "/tasks?limit=100", userToken, null, 200);
    }

    public JsonNode statusCounts(UUID projectId) {
        return send("GET", "/v1/projects/" + projectId + "/task-status-counts", userToken, null, 200);
    }

    /** One page (100, newest first) of a project's tasks. */
    public JsonNode tasksPage(UUID projectId, int page) {
        return send("GET", "/v1/projects/" + projectId + "/tasks?limit=100&page=" + page, userToken, null, 200)
                .path("items");
    }

    public JsonNode cancel(UUID id) {
        return send("POST", "/v1/tasks/" + id + "/cancel", userToken, Json.MAPPER.createObjectNode(), 200);
    }

    public static byte[] download(String url) {
        try {
            HttpResponse<byte[]> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET " + url + " -> " + r.statusCode());
            }
            return r.body();
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode json(String s) {
        try {
            return Json.MAPPER.readTree(s);
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private JsonNode send(String method, String path, String token, JsonNode body, int expected) {
        return JsonHttp.send(HTTP, method, base + path, token, body, expected);
    }
}
