package dev.conveyor.generation.messaging;

import dev.conveyor.generation.config.GenerationConfig;
import dev.conveyor.kit.outbox.OutboxDeadLetters;
import dev.conveyor.kit.outbox.OutboxReadiness;
import dev.conveyor.kit.outbox.OutboxRelay;
import dev.conveyor.kit.outbox.OutboxSettings;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.Readiness;

/**
 * generation-service's outbox: the service kit's relay (commit order, dead letters, metrics) over this service's JDBC
 * pool (started by {@link MessagingLifecycle}, woken by {@link OutboxSignal}); its dead-letter store; its readiness.
 */
@Singleton
public class Outbox {
    private final OutboxRelay relay;
    private final OutboxDeadLetters deadLetters;

    public Outbox(AgroalDataSource dataSource, KafkaClients kafka, GenerationConfig config, MeterRegistry registry) {
        this.relay = new OutboxRelay(
                dataSource, kafka::newEventProducer, OutboxSettings.of("generation-service", config.relay()), registry);
        this.deadLetters = new OutboxDeadLetters(dataSource);
    }

    public OutboxRelay relay() {
        return relay;
    }

    @Produces
    @Singleton
    OutboxDeadLetters deadLetters() {
        return deadLetters;
    }

    /** DOWN while the oldest unpublished row is older than {@code generation.relay.max-lag}. */
    @Readiness
    @Singleton
    public static class Ready extends OutboxReadiness {
        public Ready(Outbox outbox) {
            super(outbox.relay());
        }
    }
}
