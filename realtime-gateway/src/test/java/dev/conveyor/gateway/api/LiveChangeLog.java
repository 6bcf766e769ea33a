package dev.conveyor.gateway.api;

import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.gateway.messaging.ChangeLog;
import dev.conveyor.gateway.messaging.ChangeLogSettings;

import java.time.Duration;

import static org.awaitility.Awaitility.await;

/** A change log of its own on the devstack broker, caught up, for tests that drive sessions directly. */
final class LiveChangeLog {
    private LiveChangeLog() {
    }

    static ChangeLog start(String name) {
        ChangeLog log = new ChangeLog(new ChangeLogSettings(DevstackResource.devstack().kafka().bootstrapServers(),
                Duration.ofMinutes(15), 64, 1000, Duration.ofSeconds(30)), name).start();
        await().atMost(Duration.ofSeconds(30)).until(log::caughtUp);
        return log;
    }
}
