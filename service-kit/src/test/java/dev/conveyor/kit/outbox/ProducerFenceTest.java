package dev.conveyor.kit.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The fence's rule, on Kafka's in-memory producer: what fails for a passing reason stops everything after it. */
class ProducerFenceTest {
    private final MockProducer<String, String> producer =
            new MockProducer<>(false, null, new StringSerializer(), new StringSerializer());
    private final ProducerFence fence = new ProducerFence(producer);

    @Test
    void aSendFailingForAPassingReasonClosesTheProducerSoNothingQueuedAfterItIsSent() {
        Future<RecordMetadata> claimed = fence.send(record("task.claimed"));
        Future<RecordMetadata> completed = fence.send(record("task.completed"));

        producer.errorNext(new TimeoutException("expired while the broker restarted"));

        assertThat(fence.isBroken()).isTrue();
        assertThat(producer.closed()).isTrue();
        assertThatThrownBy(claimed::get).isInstanceOf(ExecutionException.class);
        // closed before Kafka answered the later row: a real producer aborts it, nothing more goes out
        assertThat(completed.isDone()).isFalse();
        assertThatThrownBy(() -> fence.send(record("task.completed again"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aRowRefusedForGoodLeavesTheProducerOpenForTheRowsAfterIt() throws Exception {
        Future<RecordMetadata> tooLarge = fence.send(record("huge"));
        Future<RecordMetadata> next = fence.send(record("task.completed"));

        producer.errorNext(new RecordTooLargeException("too large"));
        producer.completeNext();

        assertThat(fence.isBroken()).isFalse();
        assertThat(producer.closed()).isFalse();
        assertThatThrownBy(tooLarge::get).isInstanceOf(ExecutionException.class);
        assertThat(next.get().topic()).isEqualTo("task-events");
    }

    @Test
    void breakingOffKeepsTheFirstCauseAndClosesOnce() {
        fence.breakOff(new NotEnoughReplicasException("first"));
        fence.breakOff(new TimeoutException("second"));

        assertThat(fence.isBroken()).isTrue();
        assertThat(producer.closed()).isTrue();
        assertThatThrownBy(() -> fence.send(record("after"))).isInstanceOf(IllegalStateException.class);
    }

    private static ProducerRecord<String, String> record(String value) {
        return new ProducerRecord<>("task-events", "task-1", value);
    }
}
