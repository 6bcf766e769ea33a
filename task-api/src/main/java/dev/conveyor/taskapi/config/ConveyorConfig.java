package dev.conveyor.taskapi.config;

import dev.conveyor.kit.outbox.OutboxSettings;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Everything under {@code conveyor.*} in application.properties. */
@ConfigMapping(prefix = "conveyor")
public interface ConveyorConfig {

    /** Task types by name, e.g. {@code conveyor.task-types.single_image.cost-base=1}. */
    Map<String, TaskTypeConfig> taskTypes();

    /** Per-user task-processing lease ({@code take_lead}). */
    @WithDefault("6s")
    Duration leadLease();

    /** Largest params object accepted on create, in bytes of its JSON form. */
    @WithDefault("262144")
    int maxParamsBytes();

    Reaper reaper();

    Relay relay();

    Stalled stalled();

    GenerationEvents generationEvents();

    interface TaskTypeConfig {
        /** Worker capability required to claim it; empty = any worker. */
        Optional<String> capability();

        @WithDefault("1")
        long costBase();

        @WithDefault("0")
        long costPerUnit();

        /** The numeric param the per-unit price multiplies (1 when absent from the params). */
        Optional<String> costUnitParam();

        @WithDefault("1000")
        long maxUnits();

        /** Params that must be present. */
        Optional<List<String>> requiredParams();

        /** Params that must be JSON strings when present (e.g. {@code prompt}). */
        Optional<List<String>> stringParams();

        @WithDefault("3")
        int maxAttempts();

        @WithDefault("2s")
        Duration backoffBase();

        @WithDefault("5m")
        Duration backoffCap();

        @WithDefault("30m")
        Duration lease();

        /** image, video or none. */
        @WithDefault("none")
        String generation();

        /** Dotted path of the shot id inside params, e.g. {@code full_orchestrator_payload.shot_id}. */
        Optional<String> shotPath();

        /** A pipeline: the type its handler creates once per unit of cost-unit-param (priced into this type's create). */
        Optional<String> spawnsPerUnit();

        /** A pipeline: the types its handler creates once each (priced into this type's create). */
        Optional<List<String>> spawns();
    }

    interface Reaper {
        /** Pause between two reaper passes, e.g. 5s. */
        @WithDefault("5s")
        Duration every();

        @WithDefault("500")
        int batchSize();
    }

    /** Queued tasks no worker can claim (docs/services/task-api.md, "Stalled tasks"). */
    interface Stalled {
        /**
         * A queued task is stalled once it has been due this long and no worker seen within this long (a claim) can
         * claim its type.
         */
        @WithDefault("10m")
        Duration after();

        /** A stalled task due this long fails with {@code no_worker} and its credits are released; empty = never. */
        Optional<Duration> expireAfter();

        /** Most tasks expired per reaper pass. */
        @WithDefault("500")
        int batchSize();
    }

    interface Relay extends OutboxSettings.Source {
        @WithDefault("500")
        int batchSize();

        /** Fallback poll interval when no NOTIFY arrives. */
        @WithDefault("200ms")
        Duration pollInterval();

        /**
         * Published rows are deleted after this long; 0 (the default): the relay pass deletes what Kafka acknowledged,
         * in its own transaction (an event costs the outbox an insert and a delete, and the table stays small).
         */
        @WithDefault("0s")
        Duration retention();

        /** Readiness goes DOWN while the oldest unpublished outbox row is older than this (the relay is stuck). */
        @WithDefault("60s")
        Duration maxLag();

        /**
         * Under load, the relay's passes start at least this far apart, so one pass carries what several commits
         * wrote (service-kit's RelayPacing). 0: a pass per nudge.
         */
        @WithDefault("5ms")
        Duration linger();

        /**
         * After a quiet spell, the relay's pass starts this long after the nudge: the claim the same commit woke runs
         * first, and the task's next event (task.claimed) rides in the same pass (service-kit's RelayPacing). 0: at once.
         */
        @WithDefault("5ms")
        Duration idleLinger();
    }

    /** The generation-events consumer (service-kit ConsumerLoop). */
    interface GenerationEvents {
        @WithDefault("task-api")
        String group();

        @WithDefault("500")
        int maxPollRecords();

        /** Wait before retrying a record that failed for a passing reason (database down, a lock timeout). */
        @WithDefault("1s")
        Duration retryBackoff();
    }
}
