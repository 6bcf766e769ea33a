package dev.conveyor.taskapi.messaging;

import dev.conveyor.kit.kafka.KafkaSettings;
import dev.conveyor.kit.outbox.OutboxDeadLetters;
import dev.conveyor.kit.outbox.OutboxReadiness;
import dev.conveyor.kit.outbox.OutboxRelay;
import dev.conveyor.kit.outbox.OutboxSettings;
import dev.conveyor.taskapi.config.ConveyorConfig;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.health.Readiness;

/**
 * task-api's outbox: the service kit's relay (commit order, dead letters, metrics) over this service's JDBC pool,
 * started with the application and woken by the {@code conveyor_outbox} NOTIFY; its dead-letter store; its readiness.
 */
@Singleton
public class Outbox {
    private final OutboxRelay relay;
    private final OutboxDeadLetters deadLetters;

    public Outbox(
            AgroalDataSource dataSource,
            ConveyorConfig config,
            PgSignals signals,
            MeterRegistry registry,
            @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        this.relay = new OutboxRelay(
                dataSource,
                () -> new KafkaProducer<>(
                        KafkaSettings.relayProducer(bootstrap, "task-api-outbox"),
                        new StringSerializer(),
                        new StringSerializer()),
                OutboxSettings.of("task-api", config.relay()),
                registry);
        this.deadLetters = new OutboxDeadLetters(dataSource);
        signals.onOutbox(relay::nudge);
    }

    void start(@Observes StartupEvent ev) {
        relay.start();
    }

    void stop(@Observes ShutdownEvent ev) {
        relay.close();
    }

    public OutboxRelay relay() {
        return relay;
    }

    @Produces
    @Singleton
    OutboxDeadLetters deadLetters() {
        return deadLetters;
    }

    /** DOWN while the oldest unpublished row is older than {@code conveyor.relay.max-lag}. */
    @Readiness
    @Singleton
    public static class Ready extends OutboxReadiness {
        public Ready(Outbox outbox) {
            super(outbox.relay());
        }
    }
}
