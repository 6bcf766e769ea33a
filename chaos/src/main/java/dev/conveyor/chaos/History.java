package dev.conveyor.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Everything the invariants are checked against, read at the end of a run: task-api's and generation-service's
 * databases, the event topics, the consumer groups, and what the clients did and cached. Plain data, so each checker
 * is a pure function of it and its unit test can build a broken one by hand.
 */
record History(
        List<TaskRow> tasks,
        List<TaskEvent> taskEvents,
        List<GenerationEvent> generationEvents,
        List<LedgerEntry> ledger,
        List<AccountRow> accounts,
        List<GenerationRow> generations,
        List<ShotLink> shotLinks,
        List<Lag> lags,
        List<String> deadLetters,
        ClientLog client,
        Map<UUID, ProjectView> cached,
        Map<UUID, ProjectView> truth) {

    /** A row of task-api's {@code tasks}. */
    record TaskRow(
            UUID id,
            UUID userId,
            UUID projectId,
            String taskType,
            String status,
            int attempts,
            int maxAttempts,
            UUID parentId,
            JsonNode params,
            String errorMessage,
            UUID generationId,
            UUID shotId,
            long cost,
            /** Who holds the lease and when it ends, for an unfinished task ("worker-2 until +1795 s"); else null. */
            String lease) {}

    /** A record of {@code task-events}, as consumed (duplicates included: delivery is at least once). */
    record TaskEvent(
            UUID eventId,
            String type,
            UUID taskId,
            String status,
            int attempts,
            String workerId,
            int partition,
            long offset) {}

    /** A record of {@code generation-events}. */
    record GenerationEvent(UUID eventId, String type, UUID generationId, UUID shotId, boolean linked) {}

    record LedgerEntry(long id, UUID userId, String kind, long amount, UUID taskId) {}

    record AccountRow(UUID userId, long balance, long held) {}

    record GenerationRow(UUID id, UUID taskId, UUID projectId, String type, boolean deleted) {}

    record ShotLink(UUID shotId, UUID generationId) {}

    /** How far a consumer group is behind the end of one partition. */
    record Lag(String group, String partition, long lag) {}
}
