package dev.conveyor.gateway.domain;

import dev.conveyor.contracts.CreditsChanged;
import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.GenerationSnapshot;
import dev.conveyor.contracts.LeadChanged;
import dev.conveyor.contracts.ShotChanged;
import dev.conveyor.contracts.ShotGenerationChanged;
import dev.conveyor.contracts.TaskSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Maps an event to its channel and canonical cache keys: the table of docs/realtime.md, in code. */
public final class KeyMapper {
    private KeyMapper() {}

    /** The change an event makes visible, or empty when clients need not hear about it (unknown type, no owner). */
    public static Optional<Change> map(EventEnvelope event) {
        return switch (event.type()) {
            case EventTypes.TASK_CREATED,
                    EventTypes.TASK_QUEUED,
                    EventTypes.TASK_CLAIMED,
                    EventTypes.TASK_FAILED,
                    EventTypes.TASK_REQUEUED,
                    EventTypes.TASK_CANCELLED -> task(event, true, false);
            case EventTypes.TASK_PROGRESS, EventTypes.TASK_UPDATED -> task(event, false, false);
            case EventTypes.TASK_COMPLETED -> task(event, true, true);
            case EventTypes.GENERATION_CREATED, EventTypes.GENERATION_UPDATED, EventTypes.GENERATION_DELETED ->
                generation(event);
            case EventTypes.SHOT_GENERATION_CHANGED -> shotLink(event);
            case EventTypes.SHOT_CHANGED -> shot(event);
            case EventTypes.CREDITS_CHANGED -> account(event, "account");
            case EventTypes.LEAD_CHANGED -> account(event, "task-lead");
            default -> Optional.empty();
        };
    }

    private static Optional<Change> task(EventEnvelope event, boolean statusChange, boolean completion) {
        TaskSnapshot task = event.dataAs(TaskSnapshot.class);
        UUID project = firstNonNull(event.projectId(), task == null ? null : task.projectId());
        if (project == null) {
            return Optional.empty();
        }
        UUID taskId = task != null && task.taskId() != null ? task.taskId() : uuidOrNull(event.subject());
        return Optional.of(taskChange(project, taskId, statusChange, completion, task == null ? null : task.shotId()));
    }

    /**
     * The change of a task event decided from its record alone (headers and key, see docs/events.md "Headers"), the
     * same as {@link #map} decides from its value: {@code project} is the record key, {@code taskId} the
     * {@code ce_subject} header, {@code shotId} the {@code conveyor_shot_id} header of a completion. Empty when the
     * type is not a task event's.
     */
    public static Optional<Change> taskFromHeaders(String type, UUID project, UUID taskId, UUID shotId) {
        return switch (type) {
            case EventTypes.TASK_CREATED,
                    EventTypes.TASK_QUEUED,
                    EventTypes.TASK_CLAIMED,
                    EventTypes.TASK_FAILED,
                    EventTypes.TASK_REQUEUED,
                    EventTypes.TASK_CANCELLED -> Optional.of(taskChange(project, taskId, true, false, null));
            case EventTypes.TASK_PROGRESS, EventTypes.TASK_UPDATED ->
                Optional.of(taskChange(project, taskId, false, false, null));
            case EventTypes.TASK_COMPLETED -> Optional.of(taskChange(project, taskId, true, true, shotId));
            default -> Optional.empty();
        };
    }

    /** The change of an account event ({@code credits.changed}, {@code lead.changed}) of {@code user}; empty for others. */
    public static Optional<Change> accountFromHeaders(String type, UUID user) {
        return switch (type) {
            case EventTypes.CREDITS_CHANGED -> Optional.of(accountChange(user, "account"));
            case EventTypes.LEAD_CHANGED -> Optional.of(accountChange(user, "task-lead"));
            default -> Optional.empty();
        };
    }

    /** Whether {@link #map} needs the event's value for this type (the generation and shot events: their data). */
    public static boolean needsValue(String type) {
        return switch (type) {
            case EventTypes.GENERATION_CREATED,
                    EventTypes.GENERATION_UPDATED,
                    EventTypes.GENERATION_DELETED,
                    EventTypes.SHOT_GENERATION_CHANGED,
                    EventTypes.SHOT_CHANGED -> true;
            default -> false;
        };
    }

    private static Change taskChange(UUID project, UUID taskId, boolean statusChange, boolean completion, UUID shotId) {
        List<CacheKey> keys = new ArrayList<>(6);
        if (statusChange) {
            keys.add(CacheKey.of("task-status-counts", project));
        }
        keys.add(CacheKey.of("tasks", "paginated", project, 1));
        if (taskId != null) {
            keys.add(CacheKey.of("task", taskId));
        }
        if (completion) {
            keys.add(CacheKey.of("unified-generations", "project", project));
            if (shotId != null) {
                keys.add(CacheKey.of("unified-generations", "shot", shotId));
            }
        }
        return new Change(Channel.project(project), keys);
    }

    private static Optional<Change> generation(EventEnvelope event) {
        GenerationSnapshot generation = event.dataAs(GenerationSnapshot.class);
        UUID project = firstNonNull(event.projectId(), generation == null ? null : generation.projectId());
        if (project == null) {
            return Optional.empty();
        }
        List<CacheKey> keys = new ArrayList<>();
        keys.add(CacheKey.of("unified-generations", "project", project));
        if (generation != null && generation.shots() != null) {
            for (GenerationSnapshot.ShotLink link : generation.shots()) {
                if (link != null && link.shotId() != null) {
                    keys.add(CacheKey.of("unified-generations", "shot", link.shotId()));
                    keys.add(CacheKey.of("unpositioned-count", link.shotId()));
                }
            }
        }
        keys.add(CacheKey.of("shots", project));
        return Optional.of(new Change(Channel.project(project), keys));
    }

    private static Optional<Change> shotLink(EventEnvelope event) {
        ShotGenerationChanged link = event.dataAs(ShotGenerationChanged.class);
        UUID project = firstNonNull(event.projectId(), link == null ? null : link.projectId());
        if (project == null) {
            return Optional.empty();
        }
        List<CacheKey> keys = new ArrayList<>();
        keys.add(CacheKey.of("unified-generations", "project", project));
        if (link != null && link.shotId() != null) {
            keys.add(CacheKey.of("unified-generations", "shot", link.shotId()));
            keys.add(CacheKey.of("unpositioned-count", link.shotId()));
        }
        return Optional.of(new Change(Channel.project(project), keys));
    }

    private static Optional<Change> shot(EventEnvelope event) {
        ShotChanged shot = event.dataAs(ShotChanged.class);
        UUID project = firstNonNull(event.projectId(), shot == null ? null : shot.projectId());
        if (project == null) {
            return Optional.empty();
        }
        List<CacheKey> keys = new ArrayList<>();
        keys.add(CacheKey.of("shots", project));
        if (shot != null && shot.deleted() && shot.shotId() != null) {
            keys.add(CacheKey.of("unified-generations", "project", project));
            keys.add(CacheKey.of("unified-generations", "shot", shot.shotId()));
            keys.add(CacheKey.of("unpositioned-count", shot.shotId()));
        }
        return Optional.of(new Change(Channel.project(project), keys));
    }

    private static Optional<Change> account(EventEnvelope event, String head) {
        UUID user = event.userId();
        if (user == null) {
            if (EventTypes.CREDITS_CHANGED.equals(event.type())) {
                CreditsChanged credits = event.dataAs(CreditsChanged.class);
                user = credits == null ? null : credits.userId();
            } else {
                LeadChanged lead = event.dataAs(LeadChanged.class);
                user = lead == null ? null : lead.userId();
            }
        }
        if (user == null) {
            return Optional.empty();
        }
        return Optional.of(accountChange(user, head));
    }

    private static Change accountChange(UUID user, String head) {
        return new Change(Channel.user(user), List.of(CacheKey.of(head, user)));
    }

    /** The id a subject or key names, in its canonical (lower-case) form; null for anything else. */
    public static UUID uuidOrNull(String text) {
        if (text == null) {
            return null;
        }
        try {
            UUID id = UUID.fromString(text);
            return id.toString().equals(text.toLowerCase()) ? id : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static UUID firstNonNull(UUID a, UUID b) {
        return a != null ? a : b;
    }
}
