package dev.conveyor.generation.config;

import dev.conveyor.kit.outbox.OutboxSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** generation-service settings (prefix {@code generation}); defaults suit the local run. */
@ConfigMapping(prefix = "generation")
public interface GenerationConfig {

    Consumer consumer();

    Relay relay();

    interface Consumer {
        /** Start the task-events and projects consumers with the application. */
        @WithDefault("true")
        boolean enabled();

        @WithDefault("generation-service")
        String taskEventsGroup();

        @WithDefault("generation-service-projects")
        String projectsGroup();

        @WithDefault("500")
        int maxPollRecords();

        /** Wait before retrying a record that failed for a transient reason (database down, ...). */
        @WithDefault("1s")
        Duration retryBackoff();
    }

    interface Relay extends OutboxSettings.Source {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("500")
        int batchSize();

        /** How often the relay looks for unpublished rows when nothing in this process woke it. */
        @WithDefault("200ms")
        Duration pollInterval();

        /** Published outbox rows older than this are deleted. */
        @WithDefault("1h")
        Duration retention();

        /** Readiness goes DOWN while the oldest unpublished outbox row is older than this (the relay is stuck). */
        @WithDefault("60s")
        Duration maxLag();

        /**
         * Under load, the relay's passes start at least this far apart (service-kit's RelayPacing); an event after a
         * quiet spell goes out at once. 0: a pass per nudge.
         */
        @WithDefault("5ms")
        Duration linger();

        /**
         * After a quiet spell, a pass starts this long after the nudge (service-kit's RelayPacing). 0 (the default): at
         * once — nothing here competes with a generation's events for the cores the way a claim does in task-api.
         */
        @WithDefault("0s")
        Duration idleLinger();
    }
}
