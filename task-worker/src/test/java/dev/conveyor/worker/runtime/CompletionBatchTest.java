package dev.conveyor.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.worker.client.LeaseLostException;
import dev.conveyor.worker.client.TaskApiClient;
import dev.conveyor.worker.client.TaskApiException;
import dev.conveyor.worker.client.model.ClaimedTask;
import dev.conveyor.worker.e2e.Api;
import dev.conveyor.worker.e2e.TaskApiProcess;
import dev.conveyor.worker.e2e.TaskApiResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Completions go through task-api's batch endpoint (group commit): against the real task-api process. */
@QuarkusTest
@QuarkusTestResource(value = DevstackResource.class)
@QuarkusTestResource(value = TaskApiResource.class)
class CompletionBatchTest {
    private static final String BATCH_URI = "uri=\"/v1/worker/complete\"";
    private static final String SINGLE_URI = "uri=\"/v1/worker/tasks/{id}/complete\"";

    @Inject
    WorkerRuntime runtime;

    /** task-api's own count of requests to a route (its Prometheus metrics), over every status. */
    private static long taskApiRequests(String uriLabel) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(TaskApiProcess.url() + "/q/metrics"))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body()
                .lines()
                .filter(l -> l.startsWith("http_server_requests_seconds_count{") && l.contains(uriLabel))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    @Test
    void aLoneTaskOfTheRuntimeCompletesThroughTheBatchEndpointWithoutWaitingForCompany() throws Exception {
        Api api = new Api(TaskApiProcess.url());
        UUID project = api.newProject(100);
        await().atMost(Duration.ofSeconds(30)).until(() -> runtime.runningCount() == 0);
        long batchBefore = taskApiRequests(BATCH_URI);
        long singleBefore = taskApiRequests(SINGLE_URI);
        int runtimeBatchesBefore = runtime.completeBatchRequests();

        UUID id = UUID.fromString(
                api.createTask(project, "single_image", Api.json("{\"prompt\":\"alone\",\"width\":16,\"height\":16}"))
                        .path("id")
                        .asText());

        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> "complete".equals(api.task(id).path("status").asText()));
        assertThat(api.task(id).path("workerId").asText()).isEqualTo(runtime.workerId());
        assertThat(runtime.completeBatchRequests() - runtimeBatchesBefore).isEqualTo(1);
        assertThat(taskApiRequests(BATCH_URI) - batchBefore).isEqualTo(1);
        assertThat(taskApiRequests(SINGLE_URI)).isEqualTo(singleBefore);
    }

    @Test
    void completionsThatArriveWhileABatchIsInFlightGoOutTogetherAndEachGetsItsOwnOutcome() throws Exception {
        Api api = new Api(TaskApiProcess.url());
        UUID project = api.newProject(1000);
        // noop tasks: the in-test runtime does not run them (no bench handlers), so this test holds their leases.
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add(UUID.fromString(
                    api.createTask(project, "noop", Api.json("{}")).path("id").asText()));
        }
        var http = Executors.newFixedThreadPool(2);
        try {
            TaskApiClient client = new TaskApiClient(TaskApiProcess.url(), TaskApiProcess.workerToken(), http);
            List<ClaimedTask> claimed = new ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                claimed.addAll(client.claim("batch-test", List.of("bench"), List.of("noop"), 12, 1).stream()
                        .filter(t -> ids.contains(t.id()))
                        .toList());
                return claimed.size() == ids.size();
            });
            List<Integer> sizes = new ArrayList<>();
            CompletionBatcher batcher = new CompletionBatcher(client, "batch-test", size -> {
                synchronized (sizes) {
                    sizes.add(size);
                }
            });
            ClaimedTask stale = claimed.get(0);
            UUID unknown = UUID.randomUUID();
            List<CompletableFuture<JsonNode>> good = new ArrayList<>();
            for (ClaimedTask t : claimed.subList(1, claimed.size())) {
                good.add(batcher.complete(t.id(), t.leaseToken(), "http://out/" + t.id(), Api.json("{\"ok\":true}")));
            }
            CompletableFuture<JsonNode> staleAnswer =
                    batcher.complete(stale.id(), UUID.randomUUID().toString(), null, null);
            CompletableFuture<JsonNode> unknownAnswer =
                    batcher.complete(unknown, UUID.randomUUID().toString(), null, null);

            for (int i = 0; i < good.size(); i++) {
                UUID id = claimed.get(i + 1).id();
                JsonNode answer = good.get(i).get(20, TimeUnit.SECONDS);
                assertThat(answer.path("taskId").asText()).isEqualTo(id.toString());
                assertThat(answer.path("outcome").asText()).isEqualTo("complete");
                assertThat(answer.has("task"))
                        .as("asked with returnTasks false")
                        .isFalse();
                JsonNode task = api.task(id);
                assertThat(task.path("status").asText()).isEqualTo("complete");
                assertThat(task.path("outputLocation").asText()).isEqualTo("http://out/" + id);
            }
            assertThatThrownBy(() -> staleAnswer.get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(LeaseLostException.class);
            assertThatThrownBy(() -> unknownAnswer.get(20, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(TaskApiException.class)
                    .hasMessageContaining(unknown.toString());
            // 13 completions queued within microseconds: the first went out alone, the rest waited for it and shared
            // requests.
            assertThat(sizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(13);
            assertThat(sizes)
                    .hasSizeLessThan(13)
                    .anySatisfy(size -> assertThat(size).isGreaterThan(1));
            assertThat(batcher.requests()).isEqualTo(sizes.size());
            assertThat(api.task(stale.id()).path("status").asText()).isEqualTo("in_progress");
            assertThat(api.statusCounts(project).path("complete").asInt()).isEqualTo(11);

            // The stale one's real lease still completes it; a repeat of a completed one is answered complete again.
            assertThat(batcher.complete(stale.id(), stale.leaseToken(), null, null)
                            .get(20, TimeUnit.SECONDS)
                            .path("outcome")
                            .asText())
                    .isEqualTo("complete");
            assertThat(api.task(stale.id()).path("status").asText()).isEqualTo("complete");
            ClaimedTask again = claimed.get(1);
            assertThat(batcher.complete(again.id(), again.leaseToken(), "http://other", null)
                            .get(20, TimeUnit.SECONDS)
                            .path("outcome")
                            .asText())
                    .isEqualTo("complete");
            assertThat(api.task(again.id()).path("outputLocation").asText()).isEqualTo("http://out/" + again.id());
        } finally {
            http.shutdownNow();
        }
    }
}
