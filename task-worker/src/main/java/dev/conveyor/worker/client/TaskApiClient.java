package dev.conveyor.worker.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.contracts.Json;
import dev.conveyor.worker.client.model.ClaimAnswer;
import dev.conveyor.worker.client.model.ClaimedTask;
import dev.conveyor.worker.client.model.Completion;
import dev.conveyor.worker.client.model.HeartbeatAnswer;
import dev.conveyor.worker.sdk.ChildTask;
import dev.conveyor.worker.sdk.TaskView;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * task-api's worker protocol over plain HTTP/1.1 ({@link Http1Client}: kept-alive connections, each exchange on one
 * thread). The blocking claim runs on the caller's thread (the dispatcher); every other call runs on {@code executor}
 * (never the Vert.x event loop), which completes its future — give it a thread per concurrent call (a cached pool):
 * each call holds its thread until task-api answers. Errors: 409 {@code lease_lost} -> {@link LeaseLostException};
 * other non-2xx -> {@link TaskApiException}; network trouble -> {@link IOException} (inside the future).
 */
public final class TaskApiClient implements AutoCloseable {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);

    private final Http1Client http;
    private final Executor executor;
    private final String baseUrl;
    private final Map<String, String> headers;

    public TaskApiClient(String baseUrl, String token, Executor executor) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.executor = executor;
        this.http = new Http1Client(URI.create(this.baseUrl), CONNECT_TIMEOUT);
        this.headers = Map.of(
                "Authorization", "Bearer " + token,
                "Content-Type", "application/json",
                "Accept", "application/json");
    }

    /** Closes the idle connections (calls still running finish on theirs). */
    @Override
    public void close() {
        http.close();
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** Blocking claim (the dispatcher thread calls it); {@code waitSeconds} 0 answers at once. */
    public List<ClaimedTask> claim(
            String workerId, List<String> capabilities, List<String> taskTypes, int max, int waitSeconds)
            throws IOException, InterruptedException {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("workerId", workerId);
        body.set("capabilities", Json.MAPPER.valueToTree(capabilities));
        body.set("taskTypes", Json.MAPPER.valueToTree(taskTypes));
        body.put("max", max);
        body.put("waitSeconds", waitSeconds);
        if (Thread.interrupted()) {
            throw new InterruptedException("claim not sent: the dispatcher was interrupted");
        }
        String path = "/v1/worker/claim";
        Http1Response response =
                http.exchange("POST", path, headers, bytes(body), Duration.ofSeconds(waitSeconds + 15L));
        if (response.status() < 200 || response.status() >= 300 || response.body().length == 0) {
            read(response, "POST", path); // a refusal throws; an empty 2xx answer claimed nothing
            return List.of();
        }
        // Straight into the records the runtime uses: no tree of every field of every task first.
        return Json.MAPPER.readValue(response.body(), ClaimAnswer.class).tasks();
    }

    public CompletableFuture<HeartbeatAnswer> heartbeat(
            UUID taskId, String workerId, String leaseToken, Integer progress, String message) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("workerId", workerId);
        body.put("leaseToken", leaseToken);
        if (progress != null) {
            body.put("progress", progress);
        }
        if (message != null) {
            body.put("message", message);
        }
        return post("/v1/worker/tasks/" + taskId + "/heartbeat", body, Duration.ofSeconds(15))
                .thenApply(n -> convert(n, HeartbeatAnswer.class));
    }

    public CompletableFuture<JsonNode> complete(
            UUID taskId, String workerId, String leaseToken, String outputLocation, JsonNode metadata) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("workerId", workerId);
        body.put("leaseToken", leaseToken);
        body.put("outputLocation", outputLocation);
        body.set("metadata", metadata);
        return post("/v1/worker/tasks/" + taskId + "/complete", body, Duration.ofSeconds(15));
    }

    /**
     * Batch complete ({@code POST /v1/worker/complete}, 1..100 items): answers the {@code results} array, one
     * {@code {taskId, outcome, task?, error?}} per item in the order given. Per-item refusals are outcomes, not errors.
     */
    public CompletableFuture<JsonNode> completeBatch(String workerId, List<Completion> completions) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("workerId", workerId);
        // The runtime needs each item's outcome, not the completed task: task-api renders none, this parses none.
        body.put("returnTasks", false);
        var tasks = body.putArray("tasks");
        for (Completion c : completions) {
            ObjectNode item = tasks.addObject();
            item.put("taskId", c.taskId().toString());
            item.put("leaseToken", c.leaseToken());
            item.put("outputLocation", c.outputLocation());
            item.set("metadata", c.metadata());
        }
        return post("/v1/worker/complete", body, Duration.ofSeconds(15)).thenApply(n -> n.path("results"));
    }

    public CompletableFuture<JsonNode> fail(
            UUID taskId, String workerId, String leaseToken, String error, boolean retryable) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("workerId", workerId);
        body.put("leaseToken", leaseToken);
        body.put("error", error);
        body.put("retryable", retryable);
        return post("/v1/worker/tasks/" + taskId + "/fail", body, Duration.ofSeconds(15));
    }

    /**
     * Hands a leased task back without penalty ({@code POST /v1/worker/tasks/{id}/release}): task-api queues it at once
     * and gives the attempt back. A repeat with the same token answers the stored task.
     */
    public CompletableFuture<JsonNode> release(UUID taskId, String workerId, String leaseToken) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("workerId", workerId);
        body.put("leaseToken", leaseToken);
        return post("/v1/worker/tasks/" + taskId + "/release", body, Duration.ofSeconds(15));
    }

    /** Creates a child of the leased task {@code parentId} (worker endpoint; see docs/services/task-worker.md). */
    public CompletableFuture<UUID> createChild(UUID parentId, String workerId, String leaseToken, ChildTask child) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("workerId", workerId);
        body.put("leaseToken", leaseToken);
        body.put("taskType", child.taskType());
        body.set("params", child.params());
        body.set("dependsOn", Json.MAPPER.valueToTree(child.dependsOn()));
        if (child.priority() != null) {
            body.put("priority", child.priority());
        }
        if (child.idempotencyKey() != null) {
            body.put("idempotencyKey", child.idempotencyKey());
        }
        return post("/v1/worker/tasks/" + parentId + "/children", body, Duration.ofSeconds(15))
                .thenApply(n -> UUID.fromString(n.path("id").asText()));
    }

    /**
     * Creates 1..100 children of the leased task {@code parentId} in one transaction, all or none
     * ({@code POST /v1/worker/tasks/{parentId}/children/batch}); answers their ids in order.
     */
    public CompletableFuture<List<UUID>> createChildren(
            UUID parentId, String workerId, String leaseToken, List<ChildTask> children) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("workerId", workerId);
        body.put("leaseToken", leaseToken);
        var items = body.putArray("children");
        for (ChildTask child : children) {
            ObjectNode item = items.addObject();
            item.put("taskType", child.taskType());
            item.set("params", child.params());
            item.set("dependsOn", Json.MAPPER.valueToTree(child.dependsOn()));
            item.set("dependsOnItems", Json.MAPPER.valueToTree(child.dependsOnChildren()));
            if (child.priority() != null) {
                item.put("priority", child.priority());
            }
            if (child.idempotencyKey() != null) {
                item.put("idempotencyKey", child.idempotencyKey());
            }
        }
        return post("/v1/worker/tasks/" + parentId + "/children/batch", body, Duration.ofSeconds(30))
                .thenApply(n -> {
                    List<UUID> ids = new ArrayList<>();
                    n.path("items")
                            .forEach(i -> ids.add(
                                    UUID.fromString(i.path("task").path("id").asText())));
                    return ids;
                });
    }

    /** Reads any task (worker endpoint). */
    public CompletableFuture<TaskView> task(UUID taskId) {
        return call("GET", "/v1/worker/tasks/" + taskId, null, Duration.ofSeconds(15))
                .thenApply(n -> convert(n, TaskView.class));
    }

    private CompletableFuture<JsonNode> post(String path, JsonNode body, Duration timeout) {
        byte[] bytes;
        try {
            bytes = bytes(body);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new IllegalStateException(e));
        }
        return call("POST", path, bytes, timeout);
    }

    /** One exchange on the executor; its answer (or refusal, or IOException) completes the future there. */
    private CompletableFuture<JsonNode> call(String method, String path, byte[] body, Duration timeout) {
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    answer.complete(read(http.exchange(method, path, headers, body, timeout), method, path));
                } catch (Throwable e) {
                    answer.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            answer.completeExceptionally(
                    new IOException("worker is shutting down: " + method + " " + path + " not sent", e));
        }
        return answer;
    }

    private static byte[] bytes(JsonNode body) throws IOException {
        return Json.MAPPER.writeValueAsBytes(body);
    }

    private static <T> T convert(JsonNode node, Class<T> type) {
        try {
            return Json.MAPPER.treeToValue(node, type);
        } catch (IOException e) {
            throw new TaskApiException(
                    200,
                    "unreadable_answer",
                    "task-api answer is not a " + type.getSimpleName() + ": " + e.getMessage());
        }
    }

    static JsonNode read(Http1Response response, String method, String path) {
        JsonNode body;
        try {
            body = response.body().length == 0 ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(response.body());
        } catch (IOException e) {
            body = Json.MAPPER.createObjectNode();
        }
        int status = response.status();
        if (status >= 200 && status < 300) {
            return body;
        }
        String code = body.path("code").asText("");
        String detail = body.path("detail").asText(body.path("title").asText("HTTP " + status));
        if (status == 409 && "lease_lost".equals(code)) {
            throw new LeaseLostException(detail);
        }
        throw new TaskApiException(status, code, method + " " + path + " -> " + status + " " + code + ": " + detail);
    }
}
