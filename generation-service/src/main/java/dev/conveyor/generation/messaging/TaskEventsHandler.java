package dev.conveyor.generation.messaging;

import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventHeaders;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.generation.domain.CompletionOutcome;
import dev.conveyor.generation.domain.CompletionService;
import dev.conveyor.kit.consumer.PoisonEventException;
import dev.conveyor.kit.kafka.RecordHeaders;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Handles one {@code task-events} record: parses the envelope (poison when it is not one) and lets
 * {@link CompletionService} apply it. A record whose {@code ce_type} header names another type than
 * {@code task.completed}, or a completion whose {@code conveyor_generation_type} header is {@code none}, is skipped
 * unparsed (the consumer loop still commits its offset); one without the headers (an older producer) is parsed and
 * decided on its envelope, as before. Counts outcomes in {@code generation_completions_total{outcome}} and completions
 * without output in {@code generation_missing_output_total}.
 */
@ApplicationScoped
public class TaskEventsHandler {
    private final CompletionService completions;
    private final MeterRegistry metrics;

    public TaskEventsHandler(CompletionService completions, MeterRegistry metrics) {
        this.completions = completions;
        this.metrics = metrics;
    }

    /**
     * Applies the records (of one partition, in order) in one transaction.
     *
     * @throws PoisonEventException when one of them is not an envelope or not a usable completion
     */
    public Uni<List<CompletionService.Result>> handleBatch(List<ConsumerRecord<byte[], byte[]>> records) {
        List<CompletionService.Delivery> deliveries = new ArrayList<>(records.size());
        for (ConsumerRecord<byte[], byte[]> record : records) {
            if (ignoredByHeader(record)) {
                continue;
            }
            if (record.value() == null) {
                throw new PoisonEventException("task-events record without a value");
            }
            EventEnvelope envelope;
            try {
                envelope = EventEnvelope.fromJson(record.value());
            } catch (IllegalArgumentException e) {
                throw new PoisonEventException(e.getMessage(), e);
            }
            deliveries.add(
                    new CompletionService.Delivery(record.topic(), record.partition(), record.offset(), envelope));
        }
        return completions.applyAll(deliveries).invoke(results -> results.forEach(this::count));
    }

    /**
     * The record's headers say nothing here acts on it, so it is not parsed: its type is not a completion, or it is the
     * completion of a task that generates nothing ({@link EventHeaders#GENERATION_TYPE} {@code none}). A completion
     * without that header (an older producer) is parsed and decided on its value.
     */
    static boolean ignoredByHeader(ConsumerRecord<byte[], byte[]> record) {
        String type = RecordHeaders.text(record.headers(), EventHeaders.TYPE);
        if (type == null) {
            return false;
        }
        if (!EventTypes.TASK_COMPLETED.equals(type)) {
            return true;
        }
        return EventHeaders.NO_GENERATION.equals(RecordHeaders.text(record.headers(), EventHeaders.GENERATION_TYPE));
    }

    private void count(CompletionService.Result result) {
        if (result.outcome() != CompletionOutcome.IGNORED) {
            metrics.counter(
                            "generation.completions",
                            "outcome",
                            result.outcome().label())
                    .increment();
        }
        if (result.outcome() == CompletionOutcome.SKIPPED_NO_OUTPUT) {
            metrics.counter("generation.missing.output").increment();
        }
    }
}
