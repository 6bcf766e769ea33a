package dev.conveyor.worker.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.worker.client.LeaseLostException;
import dev.conveyor.worker.client.TaskApiClient;
import dev.conveyor.worker.client.TaskApiException;
import dev.conveyor.worker.client.model.Completion;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.jboss.logging.Logger;

/**
 * Group commit of completions. A completion is sent at once when no batch request is in flight (no added latency for
 * a lone task); while one is in flight, completions queue up and go out together (at most {@value #MAX_BATCH}) as soon
 * as it returns. Each caller gets its own item's answer: its result ({@code taskId}, {@code outcome}; asked without the
 * task, which no caller reads) on {@code complete}, {@link LeaseLostException} on
 * {@code lease_lost}, {@link TaskApiException} 404 on {@code task_not_found}; a failed request fails every item of it
 * with the same error, so the caller's retry policy re-submits (safe: a repeat with the same lease token is idempotent).
 * Against a task-api without the batch endpoint (404/405 on it) it falls back to one request per task.
 */
public final class CompletionBatcher {
    private static final Logger LOG = Logger.getLogger(CompletionBatcher.class);
    public static final int MAX_BATCH = 100;

    private record Pending(Completion completion, CompletableFuture<JsonNode> result) {}

    private final TaskApiClient client;
    private final String workerId;
    private final IntConsumer batchSent;
    private final Executor deliveries;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final AtomicInteger requests = new AtomicInteger();
    private boolean inFlight;
    private volatile boolean supported = true;

    /**
     * {@code batchSent} hears the size of every batch request (metrics); answers are delivered on the thread that
     * receives them.
     */
    public CompletionBatcher(TaskApiClient client, String workerId, IntConsumer batchSent) {
        this(client, workerId, batchSent, Runnable::run);
    }

    /**
     * {@code deliveries} runs the delivery of each batch's answers: the worker's {@link Continuations}, so that a
     * batch reaches the worker pool once and its tasks' follow-ups run there inline, not one hand-over each.
     */
    CompletionBatcher(TaskApiClient client, String workerId, IntConsumer batchSent, Executor deliveries) {
        this.client = client;
        this.workerId = workerId;
        this.batchSent = batchSent;
        this.deliveries = deliveries;
    }

    /** Queues one completion; the future answers that task's outcome (see the class comment). */
    public CompletableFuture<JsonNode> complete(
            UUID taskId, String leaseToken, String outputLocation, JsonNode metadata) {
        if (!supported) {
            return client.complete(taskId, workerId, leaseToken, outputLocation, metadata);
        }
        Pending p =
                new Pending(new Completion(taskId, leaseToken, outputLocation, metadata), new CompletableFuture<>());
        synchronized (this) {
            queue.add(p);
        }
        flush();
        return p.result();
    }

    /** How many batch requests were sent (for tests and metrics). */
    public int requests() {
        return requests.get();
    }

    private void flush() {
        List<Pending> batch;
        synchronized (this) {
            if (inFlight || queue.isEmpty()) {
                return;
            }
            inFlight = true;
            batch = new ArrayList<>(Math.min(queue.size(), MAX_BATCH));
            while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
                batch.add(queue.poll());
            }
        }
        requests.incrementAndGet();
        batchSent.accept(batch.size());
        CompletableFuture<JsonNode> call;
        try {
            call = client.completeBatch(
                    workerId, batch.stream().map(Pending::completion).toList());
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenCompleteAsync(
                (results, error) -> {
                    try {
                        deliver(batch, results, error);
                    } catch (RuntimeException e) {
                        batch.forEach(p -> p.result().completeExceptionally(e));
                    } finally {
                        synchronized (this) {
                            inFlight = false;
                        }
                        flush();
                    }
                },
                deliveries);
    }

    private void deliver(List<Pending> batch, JsonNode results, Throwable error) {
        if (error != null) {
            Throwable cause = Failures.cause(error);
            if (cause instanceof TaskApiException t && (t.status() == 404 || t.status() == 405)) {
                LOG.warnf(
                        "task-api has no batch complete endpoint (%s): completing one task per request",
                        t.getMessage());
                supported = false;
                batch.forEach(p -> {
                    Completion c = p.completion();
                    client.complete(c.taskId(), workerId, c.leaseToken(), c.outputLocation(), c.metadata())
                            .whenComplete((task, e) -> {
                                if (e != null) {
                                    p.result().completeExceptionally(Failures.cause(e));
                                } else {
                                    p.result().complete(task);
                                }
                            });
                });
                return;
            }
            batch.forEach(p -> p.result().completeExceptionally(cause));
            return;
        }
        Map<String, JsonNode> byId = new HashMap<>();
        for (JsonNode r : results) {
            byId.put(r.path("taskId").asText(), r);
        }
        for (Pending p : batch) {
            JsonNode r = byId.get(p.completion().taskId().toString());
            String outcome = r == null ? "" : r.path("outcome").asText();
            String detail = r == null
                    ? "no result for task " + p.completion().taskId()
                    : r.path("error")
                            .path("detail")
                            .asText("task " + p.completion().taskId() + ": " + outcome);
            switch (outcome) {
                case "complete" -> p.result().complete(r);
                case "lease_lost" -> p.result().completeExceptionally(new LeaseLostException(detail));
                case "task_not_found" ->
                    p.result().completeExceptionally(new TaskApiException(404, "not_found", detail));
                default ->
                    p.result()
                            .completeExceptionally(new TaskApiException(
                                    200,
                                    "unexpected_outcome",
                                    "batch complete answered '" + outcome + "' for task "
                                            + p.completion().taskId()));
            }
        }
    }
}
