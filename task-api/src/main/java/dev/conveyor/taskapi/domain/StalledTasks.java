package dev.conveyor.taskapi.domain;

import dev.conveyor.contracts.EventTypes;
import dev.conveyor.kit.http.ProblemException;
import dev.conveyor.taskapi.config.ConveyorConfig;
import dev.conveyor.taskapi.store.OutboxStore;
import dev.conveyor.taskapi.store.OutboxStore.Record;
import dev.conveyor.taskapi.store.StalledStore;
import dev.conveyor.taskapi.store.StalledStore.TypeCount;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Queued tasks that no worker can claim: a task is stalled once it has been due for {@code conveyor.stalled.after} and
 * no worker seen within that time can claim its type (no worker has its capability, every such worker narrowed its
 * claims with {@code taskTypes} that leave it out, or the type is no longer configured). Surfaced as the gauge
 * {@code conveyor_tasks_stalled{type}} and {@code GET /v1/admin/stalled-tasks}; with {@code conveyor.stalled.expire-after}
 * set, one due that long fails ({@code no_worker}), its hold released and its dependents failed, events in the outbox.
 */
@ApplicationScoped
public class StalledTasks {
    /** One type's stalled tasks. */
    public record StalledType(String taskType, long count, java.time.Instant oldestCreatedAt) {}

    /** The admin listing: the summary per type, and a page of the tasks (oldest first). */
    public record StalledPage(
            long stalledAfterSeconds,
            Long expireAfterSeconds,
            List<StalledType> types,
            List<Task> items,
            int page,
            int limit,
            long total) {}

    private final Pool pool;
    private final StalledStore store;
    private final Credits credits;
    private final OutboxStore outbox;
    private final TaskTypes types;
    private final ConveyorConfig.Stalled config;
    private final MultiGauge gauge;

    public StalledTasks(
            Pool pool,
            StalledStore store,
            Credits credits,
            OutboxStore outbox,
            TaskTypes types,
            ConveyorConfig config,
            MeterRegistry registry) {
        this.pool = pool;
        this.store = store;
        this.credits = credits;
        this.outbox = outbox;
        this.types = types;
        this.config = config.stalled();
        this.gauge = MultiGauge.builder("conveyor.tasks.stalled")
                .description("queued tasks that no worker seen within conveyor.stalled.after can claim, per type")
                .register(registry);
    }

    public Uni<StalledPage> list(String taskType, int page, int limit) {
        if (page < 1 || page > 100_000) {
            throw ProblemException.validation("page must be from 1 to 100000");
        }
        if (limit < 1 || limit > 100) {
            throw ProblemException.validation("limit must be from 1 to 100");
        }
        String type = taskType == null || taskType.isBlank() ? null : taskType;
        long after = config.after().toMillis();
        return pool.withConnection(c -> store.countByType(c, after)
                .chain(counts -> store.page(c, after, type, limit, (page - 1) * limit)
                        .map(items -> {
                            List<StalledType> summary = counts.stream()
                                    .map(t -> new StalledType(t.taskType(), t.count(), t.oldestCreatedAt()))
                                    .toList();
                            long total = counts.stream()
                                    .filter(t -> type == null || type.equals(t.taskType()))
                                    .mapToLong(TypeCount::count)
                                    .sum();
                            return new StalledPage(
                                    config.after().toSeconds(),
                                    config.expireAfter()
                                            .map(Duration::toSeconds)
                                            .orElse(null),
                                    summary,
                                    items,
                                    page,
                                    limit,
                                    total);
                        })));
    }

    /** One reaper pass: expire what is due (when configured), then refresh the gauge. */
    public Uni<Integer> pass() {
        return expireOnce().call(this::refreshGauge);
    }

    /** Fails one batch of stalled tasks due for {@code expire-after}; answers how many (0 when expiry is off). */
    Uni<Integer> expireOnce() {
        if (config.expireAfter().isEmpty()) {
            return Uni.createFrom().item(0);
        }
        Duration expireAfter = config.expireAfter().get();
        return pool.withTransaction(c -> store.expire(
                        c,
                        config.after().toMillis(),
                        expireAfter.toMillis(),
                        config.batchSize(),
                        text(config.after()),
                        text(expireAfter))
                .chain(expired -> {
                    if (expired.isEmpty()) {
                        return Uni.createFrom().item(0);
                    }
                    List<Record> events = new ArrayList<>();
                    expired.forEach(t -> events.add(Events.task(EventTypes.TASK_FAILED, t)));
                    return credits.ended(c, expired, events)
                            .chain(() -> outbox.insert(c, events))
                            .replaceWith(expired.size());
                }));
    }

    private Uni<Void> refreshGauge() {
        return pool.withConnection(c -> store.countByType(c, config.after().toMillis()))
                .invoke(counts -> {
                    Map<String, Long> byType = new TreeMap<>();
                    types.all().forEach(t -> byType.put(t.name(), 0L));
                    counts.forEach(t -> byType.put(t.taskType(), t.count()));
                    gauge.register(
                            byType.entrySet().stream()
                                    .map(e -> MultiGauge.Row.of(Tags.of("type", e.getKey()), e.getValue()))
                                    .toList(),
                            true);
                })
                .replaceWithVoid();
    }

    /** 90s, 10m, 24h, 2d: the largest whole unit. */
    static String text(Duration d) {
        long s = d.toSeconds();
        if (s > 0 && s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s > 0 && s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s > 0 && s % 60 == 0) {
            return s / 60 + "m";
        }
        return s > 0 ? s + "s" : d.toMillis() + "ms";
    }
}
