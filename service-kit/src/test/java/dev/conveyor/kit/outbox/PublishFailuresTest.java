package dev.conveyor.kit.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.Test;

class PublishFailuresTest {

    @Test
    void faultsOfTheRecordItselfArePermanentEvenWrappedInTheSendFuturesException() {
        assertThat(PublishFailures.isPermanent(new ExecutionException(new RecordTooLargeException("2 MB"))))
                .isTrue();
        assertThat(PublishFailures.isPermanent(new SerializationException("x"))).isTrue();
        assertThat(PublishFailures.isPermanent(new InvalidTopicException("bad name")))
                .isTrue();
        assertThat(PublishFailures.isPermanent(new InvalidRecordException("x"))).isTrue();
    }

    @Test
    void faultsThatWouldHitEveryRowAreRetried() {
        assertThat(PublishFailures.isPermanent(new ExecutionException(new TimeoutException("broker down"))))
                .isFalse();
        assertThat(PublishFailures.isPermanent(new NotEnoughReplicasException("x")))
                .isFalse();
        assertThat(PublishFailures.isPermanent(new UnknownTopicOrPartitionException("x")))
                .isFalse();
        assertThat(PublishFailures.isPermanent(new TopicAuthorizationException(Set.of("t"))))
                .isFalse();
        assertThat(PublishFailures.isPermanent(new IllegalStateException("x"))).isFalse();
    }

    @Test
    void theReasonNamesTheCauseAndIsBounded() {
        assertThat(PublishFailures.reason(new ExecutionException(new RecordTooLargeException("too big"))))
                .isEqualTo("RecordTooLargeException: too big");
        assertThat(PublishFailures.reason(new RecordTooLargeException("y".repeat(5000))))
                .hasSize(2000);
    }
}
