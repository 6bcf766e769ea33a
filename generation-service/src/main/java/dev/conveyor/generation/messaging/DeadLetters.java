package dev.conveyor.generation.messaging;

import dev.conveyor.contracts.Topics;
import dev.conveyor.kit.consumer.DeadLetterTopic;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

/** generation-service's dead-letter topic, {@link Topics#GENERATION_DEAD_LETTERS}, for both its consumers. */
@Singleton
public class DeadLetters extends DeadLetterTopic {

    public DeadLetters(KafkaClients kafka, MeterRegistry metrics) {
        super(kafka.deadLetterProducer(), Topics.GENERATION_DEAD_LETTERS, metrics);
    }
}
