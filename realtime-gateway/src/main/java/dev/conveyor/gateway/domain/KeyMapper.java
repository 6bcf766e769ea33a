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
        List<CacheKey> keys = new ArrayList<>();
        if (statusChange) {
            keys.add(CacheKey.of("task-status-counts", project));
        }
        keys.add(CacheKey.of("tasks", "paginated", project, 1));
        UUID taskId = task != null && task.taskId() != null ? task.taskId() : uuidOrNull(event.subject());
        if (taskId != null) {
            keys.add(CacheKey.of("task", taskId));
        }
        if (completion) {
            keys.add(CacheKey.of("unified-generations", "project", project));
            if (task != null && task.shotId() != null) {
                keys.add(CacheKey.of("unified-generations", "shot", task.shotId()));
            }
        }
        return Optional.of(new Change(Channel.project(project), keys));
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
        return Optional.of(new Change(Channel.user(user), List.of(CacheKey.of(head, user))));
    }

    private static UUID uuidOrNull(String text) {
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
