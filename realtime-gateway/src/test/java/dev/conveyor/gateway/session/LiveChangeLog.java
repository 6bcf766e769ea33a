package dev.conveyor.gateway.session;

import static org.awaitility.Awaitility.await;

import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.gateway.domain.Channel;
import dev.conveyor.gateway.kafka.ChangeLog;
import dev.conveyor.gateway.kafka.ChangeLogSettings;
import java.time.Duration;
import java.util.UUID;
import org.apache.kafka.clients.producer.RecordMetadata;

/** A change log of its own on the devstack broker, caught up, for tests that drive sessions directly. */
final class LiveChangeLog {
    private LiveChangeLog() {}

    static ChangeLog start(String name) {
        ChangeLog log = new ChangeLog(
                        new ChangeLogSettings(
                                DevstackResource.devstack().kafka().bootstrapServers(),
                                Duration.ofMinutes(15),
                                64,
                                1000,
                                Duration.ofSeconds(30)),
                        name)
                .start();
        await().atMost(Duration.ofSeconds(30)).until(log::caughtUp);
        return log;
    }

    /** Waits until the change log has consumed {@code record} for {@code channel}. */
    static void awaitConsumed(ChangeLog log, Channel channel, RecordMetadata record) {
        String expected = record.topic() + ":" + record.partition() + ":" + (record.offset() + 1);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> log.current(channel).toString().contains(expected));
    }

    /** Waits until the change log knows who owns {@code project} (after a projects event). */
    static void awaitOwner(ChangeLog log, UUID project) {
        await().atMost(Duration.ofSeconds(10)).until(() -> log.owner(project).isPresent());
    }
}
