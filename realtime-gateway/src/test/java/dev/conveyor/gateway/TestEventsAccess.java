package dev.conveyor.gateway;

import java.util.UUID;
import org.apache.kafka.clients.producer.RecordMetadata;

/** TestEvents for tests in other packages. */
public final class TestEventsAccess extends TestEvents {
    @Override
    public void project(UUID project, UUID owner) {
        super.project(project, owner);
    }

    @Override
    public RecordMetadata shotLink(UUID project, UUID owner, UUID shot) {
        return super.shotLink(project, owner, shot);
    }

    @Override
    public void close() {
        super.close();
    }
}
