package dev.conveyor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.contracts.Json;
import dev.conveyor.devstack.JsonHttp;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * task-api as the benchmark's users, admin and gate worker call it. HTTP/1.1 with keep-alive, as browsers' fetch
 * talks to it: the JDK client would otherwise try an h2c upgrade on every new connection, which task-api answers and
 * pays for (8% of its samples in the first profiles).
 */
final class TaskApiClient {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final String base;
    final UUID userId;
    final String userToken;
    private final String adminToken;

    TaskApiClient(String base, UUID userId, String userToken, String adminToken) {
        this.base = base;
        this.userId = userId;
        this.userToken = userToken;
        this.adminToken = adminToken;
    }

    /** Grants the user credits and creates a project; answers its id. */
    UUID newProject(long credits) {
        send(
                "POST",
                "/v1/admin/accounts/" + userId + "/credits",
                adminToken,
                Json.MAPPER.createObjectNode().put("amount", credits).put("reason", "benchmark"),
                200);
        return UUID.fromString(send(
                        "POST",
                        "/v1/projects",
                        userToken,
                        Json.MAPPER.createObjectNode().put("name", "bench"),
                        201)
                .path("id")
                .asText());
    }

    /** One no-op task ({@code POST /v1/tasks}); waits on {@code dependsOn} when given. */
    UUID create(UUID projectId, String taskType, UUID dependsOn) {
        ObjectNode body = task(Json.MAPPER.createObjectNode(), projectId, taskType);
        if (dependsOn != null) {
            body.putArray("dependsOn").add(dependsOn.toString());
        }
        return UUID.fromString(
                send("POST", "/v1/tasks", userToken, body, 201).path("id").asText());
    }

    /** {@code n} no-op tasks in one {@code POST /v1/tasks/batch}; each waits on {@code dependsOn} when given. */
    void createBatch(UUID projectId, int n, UUID dependsOn) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode items = body.putArray("tasks");
        for (int i = 0; i < n; i++) {
            ObjectNode item = task(items.addObject(), projectId, "noop");
            if (dependsOn != null) {
                item.putArray("dependsOn").add(dependsOn.toString());
            }
        }
        send("POST", "/v1/tasks/batch", userToken, body, 201);
    }

    /**
     * One {@code POST /v1/tasks/batch} of {@code noops} no-op tasks and {@code images} small {@code single_image} tasks
     * (64x64, no simulated GPU time): each image completes into a generation, so generation-service and the
     * generation events carry load too.
     */
    void createMixedBatch(UUID projectId, int noops, int images) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ArrayNode items = body.putArray("tasks");
        for (int i = 0; i < images; i++) {
            ObjectNode item = task(items.addObject(), projectId, "single_image");
            ((ObjectNode) item.get("params"))
                    .put("prompt", "soak")
                    .put("width", 64)
                    .put("height", 64)
                    .put("seed", i);
        }
        for (int i = 0; i < noops; i++) {
            task(items.addObject(), projectId, "noop");
        }
        send("POST", "/v1/tasks/batch", userToken, body, 201);
    }

    private static ObjectNode task(ObjectNode node, UUID projectId, String taskType) {
        node.put("projectId", projectId.toString()).put("taskType", taskType).putObject("params");
        return node;
    }

    /** Acts as the gate's worker: claims the one bench_gate task and completes it. Answers the completed task. */
    JsonNode completeGate(String workerToken) {
        ObjectNode claim = Json.MAPPER
                .createObjectNode()
                .put("workerId", "bench-gate")
                .put("max", 1)
                .put("waitSeconds", 10);
        claim.putArray("capabilities").add("bench_gate");
        JsonNode task = send("POST", "/v1/worker/claim", workerToken, claim, 200)
                .path("tasks")
                .path(0);
        if (task.isMissingNode()) {
            throw new IllegalStateException("no bench_gate task to claim");
        }
        ObjectNode complete = Json.MAPPER
                .createObjectNode()
                .put("workerId", "bench-gate")
                .put("leaseToken", task.path("leaseToken").asText());
        return send("POST", "/v1/worker/tasks/" + task.path("id").asText() + "/complete", workerToken, complete, 200);
    }

    JsonNode task(UUID id) {
        return send("GET", "/v1/tasks/" + id, userToken, null, 200);
    }

    int completed(UUID projectId) {
        return send("GET", "/v1/projects/" + projectId + "/task-status-counts", userToken, null, 200)
                .path("complete")
                .asInt();
    }

    /** {@code {waiting,queued,inProgress,complete,failed,cancelled}} of a project. */
    JsonNode statusCounts(UUID projectId) {
        return send("GET", "/v1/projects/" + projectId + "/task-status-counts", userToken, null, 200);
    }

    /** One page (100, newest first) of a project's tasks. */
    List<JsonNode> tasksPage(UUID projectId, int page) {
        JsonNode items = send(
                        "GET", "/v1/projects/" + projectId + "/tasks?limit=100&page=" + page, userToken, null, 200)
                .path("items");
        List<JsonNode> list = new java.util.ArrayList<>();
        items.forEach(list::add);
        return list;
    }

    private JsonNode send(String method, String path, String token, JsonNode body, int expected) {
        return JsonHttp.send(HTTP, method, base + path, token, body, expected);
    }
}
