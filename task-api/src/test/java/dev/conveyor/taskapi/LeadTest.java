package dev.conveyor.taskapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.LeadChanged;
import dev.conveyor.contracts.Topics;
import dev.conveyor.devstack.DevstackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class LeadTest {

    @Test
    void takeLeadHandlesItsFourCasesAndPublishesOnlyLeaderChanges() throws Exception {
        Fixtures.User user = Fixtures.user(0);
        try (KafkaLog log = new KafkaLog(Topics.ACCOUNT_EVENTS)) {
            // 1. no lease yet -> this client leads
            Map<String, Object> first = lead(user, "tab-a");
            assertThat(first).containsEntry("leader", true).containsEntry("leaderClientId", "tab-a");
            // 2. same client -> extended
            Map<String, Object> again = lead(user, "tab-a");
            assertThat(again).containsEntry("leader", true).containsEntry("leaderClientId", "tab-a");
            assertThat(Instant.parse((String) again.get("expiresAt")))
                    .isAfter(Instant.parse((String) first.get("expiresAt")));
            // 3. another client while the lease is live -> refused, told who leads
            assertThat(lead(user, "tab-b")).containsEntry("leader", false).containsEntry("leaderClientId", "tab-a");
            // 4. another client after the lease expired -> takes over
            Fixtures.execute("UPDATE task_leads SET expires_at = now() - interval '1 second' WHERE user_id = '"
                    + user.id() + "'");
            assertThat(lead(user, "tab-b")).containsEntry("leader", true).containsEntry("leaderClientId", "tab-b");
            assertThat(lead(user, "tab-a")).containsEntry("leader", false).containsEntry("leaderClientId", "tab-b");

            // a later event of the same user marks the end: everything before it has been relayed
            Fixtures.grant(user.id(), 1);
            List<EventEnvelope> events =
                    log.awaitTypes(user.id().toString(), EventTypes.LEAD_CHANGED, EventTypes.CREDITS_CHANGED);
            List<String> leaders = log.about(user.id().toString()).stream()
                    .filter(e -> e.type().equals(EventTypes.LEAD_CHANGED))
                    .map(e -> e.dataAs(LeadChanged.class).leaderClientId())
                    .toList();
            assertThat(leaders).containsExactly("tab-a", "tab-b");
            assertThat(events.get(0).userId()).isEqualTo(user.id());
        }
    }

    @Test
    void theHolderReleasesTheLeadSoAnotherClientLeadsAtOnceAndLeadChangedSaysNobodyLeads() throws Exception {
        Fixtures.User user = Fixtures.user(0);
        try (KafkaLog log = new KafkaLog(Topics.ACCOUNT_EVENTS)) {
            assertThat(lead(user, "tab-a")).containsEntry("leader", true);
            assertThat(lead(user, "tab-b")).containsEntry("leader", false);

            user.api()
                    .queryParam("clientId", "tab-a")
                    .delete("/v1/task-lead")
                    .then()
                    .statusCode(204);
            // the lease was live for ~6 s more: without the release tab-b would be refused here
            assertThat(lead(user, "tab-b")).containsEntry("leader", true).containsEntry("leaderClientId", "tab-b");

            Fixtures.grant(user.id(), 1);
            log.awaitTypes(user.id().toString(), EventTypes.LEAD_CHANGED, EventTypes.CREDITS_CHANGED);
            List<LeadChanged> changes = log.about(user.id().toString()).stream()
                    .filter(e -> e.type().equals(EventTypes.LEAD_CHANGED))
                    .map(e -> e.dataAs(LeadChanged.class))
                    .toList();
            assertThat(changes).extracting(LeadChanged::leaderClientId).containsExactly("tab-a", null, "tab-b");
            assertThat(changes.get(1).expiresAt()).isNull();
            assertThat(changes.get(1).userId()).isEqualTo(user.id());
        }
    }

    @Test
    void aReleaseByAClientThatDoesNotLeadOrByAnotherUserChangesNothing() throws Exception {
        Fixtures.User user = Fixtures.user(0);
        Fixtures.User other = Fixtures.user(0);
        try (KafkaLog log = new KafkaLog(Topics.ACCOUNT_EVENTS)) {
            assertThat(lead(user, "tab-a")).containsEntry("leader", true);
            String lease = Fixtures.queryString(
                    "SELECT client_id || expires_at::text FROM task_leads WHERE user_id = '" + user.id() + "'");

            user.api()
                    .queryParam("clientId", "tab-b")
                    .delete("/v1/task-lead")
                    .then()
                    .statusCode(204);
            other.api()
                    .queryParam("clientId", "tab-a")
                    .delete("/v1/task-lead")
                    .then()
                    .statusCode(204);
            // nobody held other's lead at all: still a 204
            other.api()
                    .queryParam("clientId", "tab-z")
                    .delete("/v1/task-lead")
                    .then()
                    .statusCode(204);

            assertThat(Fixtures.queryString(
                            "SELECT client_id || expires_at::text FROM task_leads WHERE user_id = '" + user.id() + "'"))
                    .isEqualTo(lease);
            assertThat(lead(user, "tab-b")).containsEntry("leader", false).containsEntry("leaderClientId", "tab-a");

            Fixtures.grant(user.id(), 1);
            Fixtures.grant(other.id(), 1);
            log.awaitTypes(user.id().toString(), EventTypes.LEAD_CHANGED, EventTypes.CREDITS_CHANGED);
            log.awaitTypes(other.id().toString(), EventTypes.CREDITS_CHANGED);
            assertThat(log.about(user.id().toString()))
                    .extracting(EventEnvelope::type)
                    .containsExactly(EventTypes.LEAD_CHANGED, EventTypes.CREDITS_CHANGED);
            assertThat(log.about(other.id().toString()))
                    .extracting(EventEnvelope::type)
                    .containsExactly(EventTypes.CREDITS_CHANGED);
        }
    }

    @Test
    void aReleaseWithoutAClientIdIsRefusedWith422AndKeepsTheLead() throws Exception {
        Fixtures.User user = Fixtures.user(0);
        assertThat(lead(user, "tab-a")).containsEntry("leader", true);
        for (String clientId : new String[] {null, "", "   ", "x".repeat(201)}) {
            var request = user.api();
            if (clientId != null) {
                request = request.queryParam("clientId", clientId);
            }
            var r = request.delete("/v1/task-lead");
            assertThat(r.statusCode()).as(r.body().asString()).isEqualTo(422);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.jsonPath().getString("code")).isEqualTo("validation_failed");
        }
        assertThat(Fixtures.queryLong(
                        "SELECT count(*) FROM task_leads WHERE user_id = '" + user.id() + "' AND client_id = 'tab-a'"))
                .isEqualTo(1);
    }

    private static Map<String, Object> lead(Fixtures.User user, String client) {
        return user.api()
                .body(Map.of("clientId", client))
                .post("/v1/task-lead")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getMap("");
    }
}
