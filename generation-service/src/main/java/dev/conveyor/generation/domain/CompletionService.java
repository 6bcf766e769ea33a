package dev.conveyor.generation.domain;

import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.GenerationSnapshot.ShotLink;
import dev.conveyor.generation.messaging.OutboxSignal;
import dev.conveyor.generation.store.GenerationStore;
import dev.conveyor.generation.store.OutboxStore;
import dev.conveyor.generation.store.ProcessedEventStore;
import dev.conveyor.generation.store.ShotStore;
import dev.conveyor.kit.consumer.PoisonEventException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Turns a {@code task.completed} event into a generation and its shot link, exactly once: the processed-event record,
 * the generation (unique per task), the link and the outbox events commit in one transaction.
 */
@ApplicationScoped
public class CompletionService {
    private final Pool pool;
    private final ProcessedEventStore processed;
    private final GenerationStore generations;
    private final ShotStore shots;
    private final OutboxStore outbox;
    private final OutboxSignal relay;

    public CompletionService(
            Pool pool,
            ProcessedEventStore processed,
            GenerationStore generations,
            ShotStore shots,
            OutboxStore outbox,
            OutboxSignal relay) {
        this.pool = pool;
        this.processed = processed;
        this.generations = generations;
        this.shots = shots;
        this.outbox = outbox;
        this.relay = relay;
    }

    /** What one event did. */
    public record Result(CompletionOutcome outcome, UUID generationId, String detail) {}

    /** One consumed record's envelope and where it was read. */
    public record Delivery(String topic, int partition, long offset, EventEnvelope envelope) {}

    /**
     * Applies consumed events, in order, in ONE transaction (the effects and processed-event records of all of them
     * commit together, or none do).
     *
     * @throws PoisonEventException (synchronously) when one of them can never be processed; the caller then applies
     *                              them one by one to isolate it
     */
    public Uni<List<Result>> applyAll(List<Delivery> deliveries) {
        List<Completion> completions = new ArrayList<>(deliveries.size());
        boolean any = false;
        for (Delivery delivery : deliveries) {
            Completion completion = Completion.from(delivery.envelope()).orElse(null);
            completions.add(completion);
            any |= completion != null;
        }
        if (!any) {
            return Uni.createFrom()
                    .item(deliveries.stream()
                            .map(d -> new Result(CompletionOutcome.IGNORED, null, null))
                            .toList());
        }
        return pool.withTransaction(conn -> Multi.createFrom()
                        .range(0, deliveries.size())
                        .onItem()
                        .transformToUniAndConcatenate(i -> completions.get(i) == null
                                ? Uni.createFrom().item(new Result(CompletionOutcome.IGNORED, null, null))
                                : applyIn(conn, deliveries.get(i), completions.get(i)))
                        .collect()
                        .asList())
                .invoke(results -> {
                    if (results.stream().anyMatch(r -> r.outcome().createdGeneration())) {
                        relay.wake();
                    }
                });
    }

    private Uni<Result> applyIn(SqlConnection conn, Delivery delivery, Completion completion) {
        return processed
                .claim(
                        conn,
                        completion.eventId(),
                        delivery.topic(),
                        delivery.partition(),
                        delivery.offset(),
                        delivery.envelope().type(),
                        completion.taskId())
                .flatMap(claimed -> claimed
                        ? act(conn, completion)
                                .call(result -> processed.record(
                                        conn,
                                        completion.eventId(),
                                        result.outcome().label(),
                                        result.generationId(),
                                        result.detail()))
                        : Uni.createFrom().item(new Result(CompletionOutcome.DUPLICATE_EVENT, null, null)));
    }

    private Uni<Result> act(SqlConnection conn, Completion completion) {
        if (!completion.hasOutput()) {
            return Uni.createFrom()
                    .item(new Result(
                            CompletionOutcome.SKIPPED_NO_OUTPUT, null, "task completed without an output location"));
        }
        Uni<Optional<UUID>> shotProject = completion.shotId() == null
                ? Uni.createFrom().item(Optional.empty())
                : shots.projectOf(conn, completion.shotId());
        return shotProject.flatMap(project -> {
            CompletionOutcome outcome;
            String detail = null;
            if (completion.shotReference() == null) {
                outcome = CompletionOutcome.CREATED;
            } else if (project.isEmpty()) {
                outcome = CompletionOutcome.CREATED_UNKNOWN_SHOT;
                detail = "shot " + completion.shotReference() + " does not exist";
            } else if (!project.get().equals(completion.projectId())) {
                outcome = CompletionOutcome.CREATED_SHOT_OF_OTHER_PROJECT;
                detail = "shot " + completion.shotReference() + " belongs to another project";
            } else {
                outcome = CompletionOutcome.CREATED_LINKED;
            }
            String why = detail;
            return generations
                    .insertIfAbsent(
                            conn,
                            UUID.randomUUID(),
                            completion.projectId(),
                            completion.taskId(),
                            completion.generationType(),
                            completion.outputLocation(),
                            completion.metadata(),
                            completion.params())
                    .flatMap(inserted -> inserted.isPresent()
                            ? created(conn, completion, inserted.get(), outcome, why)
                            : generations
                                    .idByTask(conn, completion.taskId())
                                    .map(existing -> new Result(
                                            CompletionOutcome.DUPLICATE_TASK,
                                            existing.orElse(null),
                                            "task " + completion.taskId() + " already has a generation")));
        });
    }

    private Uni<Result> created(
            SqlConnection conn,
            Completion completion,
            GenerationStore.Inserted inserted,
            CompletionOutcome outcome,
            String detail) {
        UUID generationId = inserted.id();
        boolean link = outcome == CompletionOutcome.CREATED_LINKED;
        Uni<Void> linked = link
                ? shots.upsertLink(conn, completion.shotId(), generationId, null)
                : Uni.createFrom().voidItem();
        return linked.flatMap(ignored -> {
                    Generation generation = new Generation(
                            generationId,
                            completion.projectId(),
                            completion.generationType(),
                            completion.outputLocation(),
                            completion.metadata(),
                            completion.params(),
                            List.of(completion.taskId()),
                            inserted.createdAt(),
                            link ? List.of(new ShotLink(completion.shotId(), null)) : List.of());
                    List<EventEnvelope> events = new ArrayList<>(2);
                    events.add(GenerationEvents.generation(
                            EventTypes.GENERATION_CREATED, generation, completion.userId()));
                    if (link) {
                        events.add(GenerationEvents.shotGeneration(
                                completion.shotId(),
                                generationId,
                                completion.projectId(),
                                completion.userId(),
                                true,
                                null));
                    }
                    return outbox.append(conn, events);
                })
                .map(ignored -> new Result(outcome, generationId, detail));
    }
}
