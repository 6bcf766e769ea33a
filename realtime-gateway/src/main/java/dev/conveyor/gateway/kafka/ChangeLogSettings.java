package dev.conveyor.gateway.kafka;

import java.time.Duration;

/**
 * How a {@link ChangeLog} reads Kafka and how much it remembers.
 *
 * @param bootstrapServers   Kafka bootstrap servers
 * @param lookback           how far back (by record timestamp) the history is rebuilt on start
 * @param historyPerChannel  events remembered per channel (older ones are dropped; resuming before them is a reset)
 * @param maxChannels        channels remembered; beyond it, the least recently changed unsubscribed ones are dropped
 * @param stuckAfter         readiness fails when the consumer made no progress for this long while behind
 */
public record ChangeLogSettings(
        String bootstrapServers, Duration lookback, int historyPerChannel, int maxChannels, Duration stuckAfter) {
    public ChangeLogSettings {
        if (historyPerChannel < 1 || maxChannels < 1) {
            throw new IllegalArgumentException("history sizes must be positive");
        }
    }
}
