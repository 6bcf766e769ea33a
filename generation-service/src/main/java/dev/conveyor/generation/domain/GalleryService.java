package dev.conveyor.generation.domain;

import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.GenerationSnapshot.ShotLink;
import dev.conveyor.generation.messaging.OutboxSignal;
import dev.conveyor.generation.store.GenerationStore;
import dev.conveyor.generation.store.OutboxStore;
import dev.conveyor.generation.store.ProjectStore;
import dev.conveyor.generation.store.ShotStore;
import dev.conveyor.kit.http.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

/**
 * The user-facing operations on generations and shots. Every operation is scoped to the caller's own projects (others
 * answer {@code not_found}); every change commits with its outbox events in one transaction.
 */
@ApplicationScoped
public class GalleryService {
    private final Pool pool;
    private final ProjectStore projects;
    private final GenerationStore generations;
    private final ShotStore shots;
    private final OutboxStore outbox;
    private final OutboxSignal relay;

    public GalleryService(
            Pool pool,
            ProjectStore projects,
            GenerationStore generations,
            ShotStore shots,
            OutboxStore outbox,
            OutboxSignal relay) {
        this.pool = pool;
        this.projects = projects;
        this.generations = generations;
        this.shots = shots;
        this.outbox = outbox;
        this.relay = relay;
    }

    public Uni<Page<Generation>> projectGenerations(
            UUID userId, UUID projectId, GenerationStore.Filter filter, int page, int limit) {
        return ownedProject(userId, projectId)
                .flatMap(ignored -> generations.page(userId, projectId, filter, page, limit));
    }

    public Uni<Generation> generation(UUID userId, UUID generationId) {
        return generations
                .findOwned(pool, userId, generationId)
                .map(found -> found.orElseThrow(() -> ProblemException.notFound("generation " + generationId)));
    }

    /** The caller's generations made by the task (empty when it made none). */
    public Uni<List<Generation>> generationsOfTask(UUID userId, UUID taskId) {
        return generations.byTask(userId, taskId);
    }

    public Uni<Void> deleteGeneration(UUID userId, UUID generationId) {
        return inTransaction(conn -> generations
                .lockOwned(conn, userId, generationId)
                .flatMap(locked -> {
                    if (locked.isEmpty()) {
                        throw ProblemException.notFound("generation " + generationId);
                    }
                    return generations.find(conn, generationId);
                })
                .flatMap(before -> {
                    Generation generation = before.orElseThrow();
                    return generations.softDelete(conn, generationId).flatMap(ignored -> {
                        Generation after = new Generation(
                                generation.id(),
                                generation.projectId(),
                                generation.type(),
                                generation.location(),
                                generation.metadata(),
                                generation.params(),
                                generation.taskIds(),
                                generation.createdAt(),
                                List.of());
                        List<EventEnvelope> events = new ArrayList<>();
                        events.add(GenerationEvents.generation(EventTypes.GENERATION_DELETED, after, userId));
                        for (ShotLink link : generation.shots()) {
                            events.add(GenerationEvents.shotGeneration(
                                    link.shotId(), generationId, generation.projectId(), userId, false, null));
                        }
                        return outbox.append(conn, events);
                    });
                }));
    }

    public Uni<Shot> createShot(UUID userId, UUID projectId, String name) {
        String valid = validName(name);
        return inTransaction(conn -> projects.isOwner(conn, userId, projectId)
                .flatMap(owned -> {
                    if (!owned) {
                        throw ProblemException.notFound("project " + projectId);
                    }
                    return shots.insert(conn, UUID.randomUUID(), projectId, valid);
                })
                .call(shot -> outbox.append(conn, List.of(GenerationEvents.shot(shot, userId, false)))));
    }

    public Uni<List<Shot>> shots(UUID userId, UUID projectId) {
        return ownedProject(userId, projectId).flatMap(ignored -> shots.list(userId, projectId));
    }

    public Uni<Shot> renameShot(UUID userId, UUID shotId, String name) {
        String valid = validName(name);
        return inTransaction(conn -> lockShot(conn, userId, shotId)
                .flatMap(shot -> shots.rename(conn, shotId, valid))
                .call(shot -> outbox.append(conn, List.of(GenerationEvents.shot(shot, userId, false)))));
    }

    public Uni<Void> deleteShot(UUID userId, UUID shotId) {
        return inTransaction(conn -> lockShot(conn, userId, shotId)
                .flatMap(shot -> shots.delete(conn, shotId).flatMap(unlinked -> {
                    List<EventEnvelope> events = new ArrayList<>();
                    events.add(GenerationEvents.shot(shot, userId, true));
                    for (UUID generationId : unlinked) {
                        events.add(GenerationEvents.shotGeneration(
                                shotId, generationId, shot.projectId(), userId, false, null));
                    }
                    return outbox.append(conn, events).flatMap(ignored -> generationsUpdated(conn, unlinked, userId));
                })));
    }

    public Uni<List<ShotGeneration>> shotGenerations(UUID userId, UUID shotId) {
        return ownedShot(userId, shotId).flatMap(shot -> shots.generations(shotId));
    }

    public Uni<Long> unpositionedCount(UUID userId, UUID shotId) {
        return ownedShot(userId, shotId).flatMap(shot -> shots.unpositionedCount(shotId));
    }

    /** Links the generation to the shot at {@code position} (null = unpositioned), or moves it there. */
    public Uni<Generation> place(UUID userId, UUID shotId, UUID generationId, Integer position) {
        if (position != null && position < 0) {
            throw ProblemException.validation("position must be 0 or more, or null for unpositioned");
        }
        return inTransaction(conn -> lockShot(conn, userId, shotId)
                .flatMap(shot -> generations
                        .lockOwned(conn, userId, generationId)
                        .flatMap(found -> {
                            if (found.isEmpty()) {
                                throw ProblemException.notFound("generation " + generationId);
                            }
                            return generations.find(conn, generationId);
                        })
                        .flatMap(generation -> {
                            if (!generation.orElseThrow().projectId().equals(shot.projectId())) {
                                throw ProblemException.validation("generation " + generationId
                                        + " belongs to another project than shot " + shotId);
                            }
                            return shots.upsertLink(conn, shotId, generationId, position)
                                    .flatMap(ignored -> linkChanged(conn, shot, generationId, userId, true, position));
                        })));
    }

    public Uni<Generation> unlink(UUID userId, UUID shotId, UUID generationId) {
        return inTransaction(conn -> lockShot(conn, userId, shotId)
                .flatMap(shot -> shots.deleteLink(conn, shotId, generationId).flatMap(removed -> {
                    if (!removed) {
                        throw ProblemException.notFound("generation " + generationId + " in shot " + shotId);
                    }
                    return linkChanged(conn, shot, generationId, userId, false, null);
                })));
    }

    private Uni<Generation> linkChanged(
            SqlConnection conn, Shot shot, UUID generationId, UUID userId, boolean linked, Integer position) {
        return generations
                .touch(conn, generationId)
                .flatMap(ignored -> generations.find(conn, generationId))
                .call(generation -> outbox.append(
                        conn,
                        List.of(
                                GenerationEvents.shotGeneration(
                                        shot.id(), generationId, shot.projectId(), userId, linked, position),
                                GenerationEvents.generation(
                                        EventTypes.GENERATION_UPDATED, generation.orElseThrow(), userId))))
                .map(generation -> generation.orElseThrow());
    }

    private Uni<Void> generationsUpdated(SqlConnection conn, List<UUID> generationIds, UUID userId) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (UUID id : generationIds) {
            chain = chain.flatMap(ignored -> generations.find(conn, id))
                    .flatMap(generation -> generation.isEmpty()
                            ? Uni.createFrom().voidItem()
                            : outbox.append(
                                    conn,
                                    List.of(GenerationEvents.generation(
                                            EventTypes.GENERATION_UPDATED, generation.get(), userId))));
        }
        return chain;
    }

    private Uni<Boolean> ownedProject(UUID userId, UUID projectId) {
        return projects.isOwner(pool, userId, projectId).map(owned -> {
            if (!owned) {
                throw ProblemException.notFound("project " + projectId);
            }
            return true;
        });
    }

    private Uni<Shot> ownedShot(UUID userId, UUID shotId) {
        return shots.findOwned(pool, userId, shotId)
                .map(found -> found.orElseThrow(() -> ProblemException.notFound("shot " + shotId)));
    }

    private Uni<Shot> lockShot(SqlConnection conn, UUID userId, UUID shotId) {
        return shots.lockOwned(conn, userId, shotId)
                .map(found -> found.orElseThrow(() -> ProblemException.notFound("shot " + shotId)));
    }

    private <T> Uni<T> inTransaction(Function<SqlConnection, Uni<T>> work) {
        return pool.withTransaction(work).invoke(ignored -> relay.wake());
    }

    static String validName(String name) {
        if (name == null || name.isBlank()) {
            throw ProblemException.validation("name is required");
        }
        String trimmed = name.strip();
        if (trimmed.length() > Shot.MAX_NAME_LENGTH) {
            throw ProblemException.validation("name is longer than " + Shot.MAX_NAME_LENGTH + " characters");
        }
        return trimmed;
    }
}
