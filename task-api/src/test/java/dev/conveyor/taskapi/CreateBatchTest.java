package dev.conveyor.taskapi;

import static dev.conveyor.taskapi.Fixtures.queryLong;
import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.devstack.DevstackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** POST /v1/tasks/batch: many tasks in one transaction, each checked and held like a single create, all or none. */
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class CreateBatchTest {

    private static Map<String, Object> item(Fixtures.User user, String prompt) {
        return Map.of("projectId", user.projectId(), "taskType", "single_image", "params", Map.of("prompt", prompt));
    }

    private static Response batch(Fixtures.User user, List<?> items) {
        return user.api().body(Map.of("tasks", items)).post("/v1/tasks/batch");
    }

    @Test
    void createsEveryTaskInRequestOrderAndHoldsEachCost() throws Exception {
        Fixtures.User user = Fixtures.user(10);
        Response r = batch(
                user,
                List.of(
                        item(user, "one"),
                        item(user, "two"),
                        Map.of(
                                "projectId",
                                user.projectId(),
                                "taskType",
                                "single_image",
                                "params",
                                Map.of("prompt", "three", "num_images", 3))));
        assertThat(r.statusCode()).as(r.body().asString()).isEqualTo(201);
        List<String> ids = r.jsonPath().getList("items.task.id", String.class);
        assertThat(ids).hasSize(3).doesNotHaveDuplicates();
        assertThat(r.jsonPath().getList("items.task.params.prompt", String.class))
                .containsExactly("one", "two", "three");
        assertThat(r.jsonPath().getList("items.replayed", Boolean.class)).containsExactly(false, false, false);
        assertThat(r.jsonPath().getList("items.task.status", String.class)).containsOnly("queued");
        assertThat(((Number) user.account().get("held")).longValue()).isEqualTo(5);
        assertThat(((Number) user.account().get("available")).longValue()).isEqualTo(5);
        for (String id : ids) {
            assertThat(user.task(id).get("status")).isEqualTo("queued");
            assertThat(queryLong("SELECT count(*) FROM outbox WHERE payload::jsonb->>'type' = 'task.created' "
                            + "AND payload::jsonb->>'subject' = '" + id + "'"))
                    .isEqualTo(1);
        }
    }

    @Test
    void oneBadItemRefusesTheWholeBatchNamingItAndChangesNothing() throws Exception {
        Fixtures.User user = Fixtures.user(10);
        String before = Fixtures.dbState();
        Response r = batch(
                user,
                List.of(
                        item(user, "fine"),
                        Map.of("projectId", user.projectId(), "taskType", "no_such_type", "params", Map.of())));
        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.jsonPath().getString("code")).isEqualTo("unknown_task_type");
        assertThat(r.jsonPath().getString("detail")).startsWith("tasks[1]: ");
        assertThat(Fixtures.dbState()).isEqualTo(before);

        Response missingPrompt = batch(
                user,
                List.of(
                        item(user, "fine"),
                        item(user, "fine too"),
                        Map.of("projectId", user.projectId(), "taskType", "single_image", "params", Map.of())));
        assertThat(missingPrompt.statusCode()).isEqualTo(422);
        assertThat(missingPrompt.jsonPath().getString("code")).isEqualTo("validation_failed");
        assertThat(missingPrompt.jsonPath().getString("detail")).startsWith("tasks[2]: ");
        assertThat(Fixtures.dbState()).isEqualTo(before);
    }

    @Test
    void creditsForOnlyPartOfTheBatchCreateNoneOfIt() throws Exception {
        Fixtures.User user = Fixtures.user(2);
        String before = Fixtures.dbState();
        Response r = batch(user, List.of(item(user, "a"), item(user, "b"), item(user, "c")));
        assertThat(r.statusCode()).isEqualTo(402);
        assertThat(r.jsonPath().getString("code")).isEqualTo("insufficient_credits");
        assertThat(r.jsonPath().getString("detail")).startsWith("tasks[2]: ");
        assertThat(Fixtures.dbState()).isEqualTo(before);
        assertThat(((Number) user.account().get("held")).longValue()).isZero();
    }

    @Test
    void anotherUsersProjectIsNotFoundAndNothingIsCreated() throws Exception {
        Fixtures.User user = Fixtures.user(10);
        Fixtures.User other = Fixtures.user(10);
        String before = Fixtures.dbState();
        Response r = batch(user, List.of(item(user, "mine"), item(other, "theirs")));
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.jsonPath().getString("code")).isEqualTo("not_found");
        assertThat(r.jsonPath().getString("detail")).startsWith("tasks[1]: ");
        assertThat(Fixtures.dbState()).isEqualTo(before);
    }

    @Test
    void repeatedIdempotencyKeysAnswerTheEarlierTasksAndHoldNothingAgain() {
        Fixtures.User user = Fixtures.user(10);
        String key = "k-" + UUID.randomUUID();
        Map<String, Object> keyed = Map.of(
                "projectId",
                user.projectId(),
                "taskType",
                "single_image",
                "params",
                Map.of("prompt", "k"),
                "idempotencyKey",
                key);
        Response first = batch(user, List.of(keyed, item(user, "plain")));
        assertThat(first.statusCode()).isEqualTo(201);
        String keyedId = first.jsonPath().getString("items[0].task.id");

        Response again = batch(user, List.of(keyed));
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.jsonPath().getString("items[0].task.id")).isEqualTo(keyedId);
        assertThat(again.jsonPath().getBoolean("items[0].replayed")).isTrue();

        Response mixed = batch(user, List.of(item(user, "new"), keyed));
        assertThat(mixed.statusCode()).isEqualTo(201);
        assertThat(mixed.jsonPath().getList("items.replayed", Boolean.class)).containsExactly(false, true);
        assertThat(mixed.jsonPath().getString("items[1].task.id")).isEqualTo(keyedId);
        assertThat(((Number) user.account().get("held")).longValue()).isEqualTo(3);
    }

    @Test
    void emptyOversizeOrSelfDuplicatingBatchesAreRefused() throws Exception {
        Fixtures.User user = Fixtures.user(200);
        String before = Fixtures.dbState();
        assertThat(batch(user, List.of()).statusCode()).isEqualTo(422);
        List<Map<String, Object>> tooMany = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            tooMany.add(item(user, "p" + i));
        }
        Response oversize = batch(user, tooMany);
        assertThat(oversize.statusCode()).isEqualTo(422);
        assertThat(oversize.jsonPath().getString("code")).isEqualTo("validation_failed");
        Map<String, Object> keyed = Map.of(
                "projectId",
                user.projectId(),
                "taskType",
                "single_image",
                "params",
                Map.of("prompt", "k"),
                "idempotencyKey",
                "twice");
        Response duplicate = batch(user, List.of(keyed, keyed));
        assertThat(duplicate.statusCode()).isEqualTo(422);
        assertThat(duplicate.jsonPath().getString("detail")).startsWith("tasks[1].idempotencyKey");
        Response malformed = user.api().body("{\"tasks\": [").post("/v1/tasks/batch");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.jsonPath().getString("code")).isEqualTo("malformed_json");
        assertThat(Fixtures.worker()
                        .body(Map.of("tasks", List.of(item(user, "x"))))
                        .post("/v1/tasks/batch")
                        .statusCode())
                .isEqualTo(403);
        assertThat(Fixtures.dbState()).isEqualTo(before);
    }
}
