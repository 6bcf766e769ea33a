package dev.conveyor.gateway.kafka;

import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.ProjectSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Who owns which project, as last read from the compacted projects topic (record key: the project id; a null value:
 * deleted). The gateway checks a project subscription against it, and a change of owner revokes the others'.
 */
final class ProjectOwners {
    private final ConcurrentHashMap<UUID, UUID> owners = new ConcurrentHashMap<>();
    private final BiConsumer<UUID, UUID> ownerChanged;

    /** @param ownerChanged (project, new owner or null when deleted), called on the consumer thread */
    ProjectOwners(BiConsumer<UUID, UUID> ownerChanged) {
        this.ownerChanged = ownerChanged;
    }

    Optional<UUID> owner(UUID project) {
        return Optional.ofNullable(owners.get(project));
    }

    int size() {
        return owners.size();
    }

    /** Applies one projects record; false (and nothing changed) when its key or value is unreadable. */
    boolean apply(ConsumerRecord<byte[], byte[]> record) {
        UUID project;
        try {
            project = UUID.fromString(new String(record.key(), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            return false;
        }
        UUID owner = null;
        if (record.value() != null) {
            try {
                ProjectSnapshot snapshot =
                        EventEnvelope.fromJson(record.value()).dataAs(ProjectSnapshot.class);
                owner = snapshot == null ? null : snapshot.ownerId();
            } catch (RuntimeException e) {
                return false;
            }
        }
        UUID previous = owner == null ? owners.remove(project) : owners.put(project, owner);
        if (previous != null && !previous.equals(owner)) {
            ownerChanged.accept(project, owner);
        }
        return true;
    }
}
