package dev.conveyor.taskapi;

import static dev.conveyor.taskapi.Fixtures.claim;
import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.taskapi.store.LeaseStore;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The batch complete's plan, as the reactive client runs it (a prepared statement, generic plan), on a table like a
 * drained queue's: many finished tasks, few in progress, statistics taken in that state. A plan through
 * {@code tasks_leases} reads an entry of every task finished since the last vacuum on every complete.
 */
@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class CompletePlanTest {

    @BeforeEach
    void isolate() throws Exception {
        Fixtures.isolateQueue();
    }

    @Test
    void theBatchCompleteLooksItsItemsUpByPrimaryKeyNotThroughTheLeasesIndex() throws Exception {
        Fixtures.User user = Fixtures.user(10);
        String running = user.createTask("single_image", Map.of("prompt", "p"));
        assertThat(claim("plan-worker", List.of(), 1, 0)
                        .then()
                        .statusCode(200)
                        .extract()
                        .jsonPath()
                        .getList("tasks.id", String.class))
                .containsExactly(running);
        // A drained queue: thousands of finished copies of the running task beside it.
        Fixtures.execute(
                "INSERT INTO tasks SELECT (jsonb_populate_record(t, jsonb_build_object('id', gen_random_uuid(), "
                        + "'status', 'complete', 'lease_expires_at', NULL))).* FROM tasks t, generate_series(1, 5000) "
                        + "WHERE t.id = '" + running + "'");
        Fixtures.execute("ANALYZE tasks");

        String plan = genericPlan();

        assertThat(plan).contains("tasks_pkey").doesNotContain("tasks_leases");
    }

    private static String genericPlan() throws Exception {
        StringBuilder plan = new StringBuilder();
        try (Connection c = Fixtures.db();
                Statement s = c.createStatement()) {
            s.execute("SET plan_cache_mode = force_generic_plan");
            s.execute("PREPARE complete_all(uuid[], uuid[], text[], text[], text) AS " + LeaseStore.COMPLETE_ALL);
            try (ResultSet rs = s.executeQuery("EXPLAIN EXECUTE complete_all(ARRAY[gen_random_uuid()], "
                    + "ARRAY[gen_random_uuid()], ARRAY[NULL]::text[], ARRAY[NULL]::text[], 'plan-worker')")) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
        }
        return plan.toString();
    }
}
