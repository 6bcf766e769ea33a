package dev.conveyor.kit.outbox;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;

/**
 * Readiness of the outbox: DOWN while the oldest unpublished row is older than {@link OutboxSettings#maxLag()} (the
 * relay is stuck: Kafka unreachable, the database failing). Each service subclasses it as a {@code @Readiness} bean.
 */
public abstract class OutboxReadiness implements HealthCheck {
    private final OutboxRelay relay;

    protected OutboxReadiness(OutboxRelay relay) {
        this.relay = relay;
    }

    @Override
    public HealthCheckResponse call() {
        long lagSeconds = relay.lag().toSeconds();
        return HealthCheckResponse.named("outbox relay")
                .status(relay.lag().compareTo(relay.settings().maxLag()) <= 0)
                .withData("unpublished", relay.depth())
                .withData("oldestUnpublishedSeconds", lagSeconds)
                .withData("maxLagSeconds", relay.settings().maxLag().toSeconds())
                .build();
    }
}
