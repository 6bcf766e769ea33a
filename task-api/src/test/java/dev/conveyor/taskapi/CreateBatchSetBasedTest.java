package dev.conveyor.taskapi;

import static dev.conveyor.taskapi.Fixtures.queryLong;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.Json;
import dev.conveyor.devstack.DevstackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * POST /v1/tasks/batch runs a few statements for the whole batch (one project check, one dependency read, one hold of
 * the total, one task insert, one outbox insert): its rows, task events and answers are those of the same creates made
 * one at a time (POST /v1/tasks), which the single create still does; its holds publish one credits.changed (the account
 * after them all) where the single creates publish one each.
 */
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class CreateBatchSetBasedTest {

    /** single_image costs 1 per image. */
    private static Map<String, Object> item(String projectId, String prompt, int images) {
        return Map.of(
                "projectId",
                projectId,
                "taskType",
                "single_image",
                "params",
                Map.of("prompt", prompt, "num_images", images));
    }

    private static Map<String, Object> with(Map<String, Object> item, String field, Object value) {
        Map<String, Object> copy = new HashMap<>(item);
        copy.put(field, value);
        return copy;
    }

    private static Response batch(Fixtures.User user, List<?> items) {
        return user.api().body(Map.of("tasks", items)).post("/v1/tasks/batch");
    }

    private static Response single(Fixtures.User user, Map<String, Object> item) {
        return user.api().body(item).post("/v1/tasks");
    }

    private static long outboxMark() throws Exception {
        return queryLong("SELECT coalesce(max(id), 0) FROM outbox");
    }

    /** The user's task and credit events written after {@code mark}, in outbox order. */
    private static List<JsonNode> events(Fixtures.User user, long mark) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (Connection c = Fixtures.db();
                PreparedStatement s = c.prepareStatement(
                        "SELECT payload FROM outbox WHERE id > ? AND key IN (?, ?) AND payload IS NOT NULL ORDER BY id")) {
            s.setLong(1, mark);
            s.setString(2, user.id().toString());
            s.setString(3, user.projectId());
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(Json.MAPPER.readTree(rs.getString(1)));
                }
            }
        }
        return out;
    }

    /** A task event as the comparison sees it: its type and what it says (the task's prompt and status). */
    private static String describe(JsonNode e) {
        JsonNode d = e.get("data");
        return e.get("type").asText() + " " + d.path("params").path("prompt").asText() + " "
                + d.path("status").asText();
    }

    private static List<String> describe(List<JsonNode> events) {
        return events.stream().map(CreateBatchSetBasedTest::describe).toList();
    }

    private static List<JsonNode> taskEvents(List<JsonNode> events) {
        return events.stream()
                .filter(e -> !"credits.changed".equals(e.get("type").asText()))
                .toList();
    }

    private static List<JsonNode> creditEvents(List<JsonNode> events) {
        return events.stream()
                .filter(e -> "credits.changed".equals(e.get("type").asText()))
                .toList();
    }

    @Test
    void aBatchOfFiftyCreatesFiftyTasksFiftyHoldRowsAndOneCreditsEventAfterItsTaskEvents() throws Exception {
        Fixtures.User user = Fixtures.user(500);
        List<Map<String, Object>> items = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < 50; i++) {
            int images = 1 + i % 3;
            items.add(item(user.projectId(), "p" + i, images));
            total += images;
        }
        long mark = outboxMark();

        Response r = batch(user, items);

        assertThat(r.statusCode()).as(r.body().asString()).isEqualTo(201);
        List<String> ids = r.jsonPath().getList("items.task.id", String.class);
        assertThat(ids).hasSize(50).doesNotHaveDuplicates();
        assertThat(r.jsonPath().getList("items.task.params.prompt", String.class))
                .containsExactlyElementsOf(items.stream()
                        .map(i -> (String) ((Map<?, ?>) i.get("params")).get("prompt"))
                        .toList());
        assertThat(r.jsonPath().getList("items.task.cost", Long.class))
                .containsExactlyElementsOf(items.stream()
                        .map(i -> (long) (int) ((Map<?, ?>) i.get("params")).get("num_images"))
                        .toList());
        assertThat(r.jsonPath().getList("items.replayed", Boolean.class)).containsOnly(false);
        assertThat(r.jsonPath().getList("items.task.status", String.class)).containsOnly("queued");

        String userId = "'" + user.id() + "'";
        assertThat(queryLong("SELECT count(*) FROM tasks WHERE user_id = " + userId))
                .isEqualTo(50);
        // the rows keep the item order (created_at strictly increasing), as one insert per item gave
        assertThat(Fixtures.queryString("SELECT string_agg(params->>'prompt', ',' ORDER BY created_at) FROM tasks "
                        + "WHERE user_id = " + userId))
                .isEqualTo(String.join(",", r.jsonPath().getList("items.task.params.prompt", String.class)));
        assertThat(queryLong("SELECT count(DISTINCT created_at) FROM tasks WHERE user_id = " + userId))
                .isEqualTo(50);
        // one hold row per task, in item order, each of the task's cost
        assertThat(Fixtures.queryString("SELECT string_agg(l.amount::text, ',' ORDER BY l.id) FROM credit_ledger l "
                        + "WHERE l.kind = 'hold' AND l.user_id = " + userId))
                .isEqualTo(String.join(
                        ",",
                        r.jsonPath().getList("items.task.cost", Long.class).stream()
                                .map(String::valueOf)
                                .toList()));
        assertThat(Fixtures.queryString("SELECT string_agg(l.task_id::text, ',' ORDER BY l.id) FROM credit_ledger l "
                        + "WHERE l.kind = 'hold' AND l.user_id = " + userId))
                .isEqualTo(String.join(",", ids));
        assertThat(((Number) user.account().get("held")).longValue()).isEqualTo(total);
        assertThat(((Number) user.account().get("available")).longValue()).isEqualTo(500 - total);

        // task.created of each item in item order, then one credits.changed for the batch's holds: the account after
        // them, the amount of all 50 (the ledger above keeps a row per task)
        List<JsonNode> events = events(user, mark);
        assertThat(events).hasSize(51);
        for (int i = 0; i < 50; i++) {
            JsonNode created = events.get(i);
            assertThat(created.get("type").asText()).isEqualTo("task.created");
            assertThat(created.get("subject").asText()).isEqualTo(ids.get(i));
            assertThat(created.get("data").get("params").get("prompt").asText()).isEqualTo("p" + i);
        }
        JsonNode credits = events.get(50);
        assertThat(credits.get("type").asText()).isEqualTo("credits.changed");
        assertThat(credits.get("data").get("entryKind").asText()).isEqualTo("hold");
        assertThat(credits.get("data").get("amount").asLong()).isEqualTo(total);
        assertThat(credits.get("data").get("entries").asInt()).isEqualTo(50);
        assertThat(credits.get("data").hasNonNull("taskId")).isFalse();
        assertThat(credits.get("data").get("held").asLong()).isEqualTo(total);
        assertThat(credits.get("data").get("available").asLong()).isEqualTo(500 - total);
    }

    @Test
    void aBatchBeyondTheBalanceCreatesNothingAndAnswersWhatTheCreatesOneAtATimeAnswerAtTheFirstItemNotCovered()
            throws Exception {
        Fixtures.User user = Fixtures.user(6);
        Fixtures.User stranger = Fixtures.user(6);
        // running totals 1, 4, 5, 8: the fourth is not covered; the fifth (another user's project) comes after it
        List<Map<String, Object>> items = List.of(
                item(user.projectId(), "a", 1),
                item(user.projectId(), "b", 3),
                item(user.projectId(), "c", 1),
                item(user.projectId(), "d", 3),
                item(stranger.projectId(), "e", 1));
        String before = Fixtures.dbState();

        Response r = batch(user, items);

        assertThat(r.statusCode()).as(r.body().asString()).isEqualTo(402);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.jsonPath().getString("code")).isEqualTo("insufficient_credits");
        assertThat(r.jsonPath().getString("detail")).isEqualTo("tasks[3]: the task costs 3 credits, 1 available");
        assertThat(Fixtures.dbState()).isEqualTo(before);
        assertThat(queryLong(
                        "SELECT count(*) FROM credit_ledger WHERE user_id = '" + user.id() + "' AND kind = 'hold'"))
                .isZero();
        assertThat(((Number) user.account().get("held")).longValue()).isZero();

        // the same items one at a time: the fourth is refused with the same problem
        Fixtures.User sequential = Fixtures.user(6);
        for (int i = 0; i < 3; i++) {
            assertThat(single(sequential, with(items.get(i), "projectId", sequential.projectId()))
                            .statusCode())
                    .isEqualTo(201);
        }
        Response fourth = single(sequential, with(items.get(3), "projectId", sequential.projectId()));
        assertThat(fourth.statusCode()).isEqualTo(402);
        assertThat(r.jsonPath().getString("detail"))
                .isEqualTo("tasks[3]: " + fourth.jsonPath().getString("detail"));
        assertThat(r.jsonPath().getString("title")).isEqualTo(fourth.jsonPath().getString("title"));
        assertThat(r.jsonPath().getInt("status")).isEqualTo(fourth.jsonPath().getInt("status"));
    }

    @Test
    void anItemRefusedBeforeTheFirstItemNotCoveredIsTheOneTheBatchNames() throws Exception {
        Fixtures.User user = Fixtures.user(2);
        Fixtures.User stranger = Fixtures.user(2);
        String before = Fixtures.dbState();

        // item 1 depends on a task that is not the user's; item 2 is not covered: item 1 is named
        Response dependency = batch(
                user,
                List.of(
                        item(user.projectId(), "a", 1),
                        with(item(user.projectId(), "b", 1), "dependsOn", List.of(UUID.randomUUID())),
                        item(user.projectId(), "c", 5)));
        assertThat(dependency.statusCode()).isEqualTo(422);
        assertThat(dependency.jsonPath().getString("code")).isEqualTo("validation_failed");
        assertThat(dependency.jsonPath().getString("detail")).startsWith("tasks[1]: task ");

        // item 0 is not covered, item 1 is in another user's project: item 0 is named
        Response credits = batch(user, List.of(item(user.projectId(), "a", 3), item(stranger.projectId(), "b", 1)));
        assertThat(credits.statusCode()).isEqualTo(402);
        assertThat(credits.jsonPath().getString("detail")).isEqualTo("tasks[0]: the task costs 3 credits, 2 available");

        // item 0 is in another user's project, item 1 is not covered: item 0 is named
        Response project = batch(user, List.of(item(stranger.projectId(), "a", 1), item(user.projectId(), "b", 3)));
        assertThat(project.statusCode()).isEqualTo(404);
        assertThat(project.jsonPath().getString("detail"))
                .isEqualTo("tasks[0]: project " + stranger.projectId() + " not found");
        assertThat(Fixtures.dbState()).isEqualTo(before);
    }

    /** What a user has before the mixed batch: a task to depend on and an earlier keyed task. */
    private record Setup(String dependency, String keyedId, String key) {}

    private static Setup setup(Fixtures.User user) {
        String dependency = user.createTask("single_image", Map.of("prompt", "dependency"));
        String key = "mixed-" + UUID.randomUUID();
        String keyedId = single(user, with(item(user.projectId(), "earlier", 1), "idempotencyKey", key))
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        return new Setup(dependency, keyedId, key);
    }

    private static List<Map<String, Object>> mixed(Fixtures.User user, Setup s) {
        return List.of(
                item(user.projectId(), "plain", 1),
                with(item(user.projectId(), "earlier", 1), "idempotencyKey", s.key()),
                with(item(user.projectId(), "after dependency", 2), "dependsOn", List.of(s.dependency())),
                with(item(user.projectId(), "new key", 1), "idempotencyKey", "new-" + s.key()),
                with(item(user.projectId(), "child", 1), "parentTaskId", s.dependency()),
                Map.of(
                        "projectId",
                        user.projectId(),
                        "taskType",
                        "travel_orchestrator",
                        "params",
                        Fixtures.orchestrator(1)),
                item(user.projectId(), "last", 3));
    }

    @Test
    void aMixedBatchAnswersLikeTheSameCreatesOneAtATime() throws Exception {
        Fixtures.User batched = Fixtures.user(20);
        Fixtures.User sequential = Fixtures.user(20);
        Setup b = setup(batched);
        Setup s = setup(sequential);

        long mark = outboxMark();
        Response r = batch(batched, mixed(batched, b));
        assertThat(r.statusCode()).as(r.body().asString()).isEqualTo(201);
        List<JsonNode> batchEvents = events(batched, mark);

        mark = outboxMark();
        List<Response> singles = new ArrayList<>();
        for (Map<String, Object> item : mixed(sequential, s)) {
            singles.add(single(sequential, item));
        }
        List<JsonNode> singleEvents = events(sequential, mark);

        assertThat(singles.stream().map(Response::statusCode)).containsExactly(201, 200, 201, 201, 201, 201, 201);
        assertThat(r.jsonPath().getList("items.replayed", Boolean.class))
                .containsExactly(false, true, false, false, false, false, false);
        assertThat(r.jsonPath().getString("items[1].task.id")).isEqualTo(b.keyedId());
        assertThat(r.jsonPath().getList("items.task.status", String.class))
                .containsExactlyElementsOf(singles.stream()
                        .map(x -> x.jsonPath().getString("status"))
                        .toList())
                .containsExactly("queued", "queued", "waiting", "queued", "queued", "queued", "queued");
        assertThat(r.jsonPath().getList("items.task.cost", Long.class))
                .containsExactlyElementsOf(
                        singles.stream().map(x -> x.jsonPath().getLong("cost")).toList());
        assertThat(r.jsonPath().getString("items[4].task.parentTaskId")).isEqualTo(b.dependency());
        assertThat(r.jsonPath().getList("items[2].task.dependsOn", String.class))
                .containsExactly(b.dependency());
        for (String field : List.of("balance", "held", "available")) {
            assertThat(batched.account().get(field))
                    .as(field)
                    .isEqualTo(sequential.account().get(field));
        }
        // the same task events; the creates' six holds in one credits.changed that ends where the sixth one did
        assertThat(describe(taskEvents(batchEvents)))
                .isEqualTo(describe(taskEvents(singleEvents)))
                .hasSize(6);
        List<JsonNode> singleHolds = creditEvents(singleEvents);
        assertThat(singleHolds).hasSize(6);
        JsonNode lastSingleHold = singleHolds.get(5).get("data");
        assertThat(creditEvents(batchEvents)).singleElement().satisfies(hold -> {
            JsonNode d = hold.get("data");
            assertThat(d.get("entryKind").asText()).isEqualTo("hold");
            assertThat(d.get("entries").asInt()).isEqualTo(6);
            assertThat(d.get("amount").asLong())
                    .isEqualTo(singleHolds.stream()
                            .mapToLong(e -> e.get("data").get("amount").asLong())
                            .sum());
            for (String field : List.of("balance", "held", "available")) {
                assertThat(d.get(field).asLong())
                        .as(field)
                        .isEqualTo(lastSingleHold.get(field).asLong());
            }
        });
        assertThat(batchEvents.get(batchEvents.size() - 1).get("type").asText()).isEqualTo("credits.changed");
        assertThat(queryLong(
                        "SELECT count(*) FROM credit_ledger WHERE kind = 'hold' AND user_id = '" + batched.id() + "'"))
                .isEqualTo(queryLong("SELECT count(*) FROM credit_ledger WHERE kind = 'hold' AND user_id = '"
                        + sequential.id() + "'"))
                .isEqualTo(2 + 6);
        // the pipeline holds its children's budget as its single create does
        String spawnBudgets =
                "SELECT string_agg(spawn_budget::text, ',' ORDER BY created_at) FROM tasks WHERE user_id = ";
        assertThat(Fixtures.queryString(spawnBudgets + "'" + batched.id() + "'"))
                .isEqualTo(Fixtures.queryString(spawnBudgets + "'" + sequential.id() + "'"))
                .isEqualTo("0,0,0,0,0,0,4,0");

        // a replayed item holds nothing: the item after it is the one not covered, named by its place in the batch
        long available = ((Number) batched.account().get("available")).longValue();
        String before = Fixtures.dbState();
        Response short_ = batch(
                batched,
                List.of(
                        with(item(batched.projectId(), "earlier", 1), "idempotencyKey", b.key()),
                        item(batched.projectId(), "too much", (int) available + 1)));
        assertThat(short_.statusCode()).isEqualTo(402);
        assertThat(short_.jsonPath().getString("detail"))
                .isEqualTo("tasks[1]: the task costs " + (available + 1) + " credits, " + available + " available");
        assertThat(Fixtures.dbState()).isEqualTo(before);
    }
}
