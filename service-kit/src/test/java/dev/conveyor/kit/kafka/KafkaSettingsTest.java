package dev.conveyor.kit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

class KafkaSettingsTest {

    @Test
    void aGrouplessReaderHasNoGroupCommitsNothingAndStartsAtTheEnd() {
        Map<String, Object> config = KafkaSettings.groupless("127.0.0.1:9092", "reader-1", 2000);

        assertThat(config).doesNotContainKey(ConsumerConfig.GROUP_ID_CONFIG);
        assertThat(config)
                .containsEntry(ConsumerConfig.CLIENT_ID_CONFIG, "reader-1")
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
                .containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest")
                .containsEntry(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    }

    @Test
    void aGroupConsumerCommitsByHandAndStartsAtTheBeginningOfANewGroup() {
        Map<String, Object> config = KafkaSettings.consumer("127.0.0.1:9092", "generation-service", 100);

        assertThat(config)
                .containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "generation-service")
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
                .containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    }
}
