package dev.conveyor.gateway.session;

import dev.conveyor.gateway.kafka.ChangeLog;
import dev.conveyor.gateway.kafka.ChangeLogService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The gateway's meters (docs/services/realtime-gateway.md, Operations): connections, frames, fan-out latency, consumer. */
@ApplicationScoped
public class GatewayMetrics {
    private static final List<String> FRAME_TYPES =
            List.of("invalidate", "reset", "subscribed", "unsubscribed", "welcome", "pong", "error");

    private final MeterRegistry registry;
    private final AtomicInteger subscriptions = new AtomicInteger();
    private final Map<String, Counter> frames = new ConcurrentHashMap<>();
    private final Timer fanout;

    public GatewayMetrics(MeterRegistry registry, ChangeLogService changeLogService) {
        this.registry = registry;
        Gauge.builder("gateway.subscriptions", subscriptions, AtomicInteger::get)
                .description("channel subscriptions")
                .register(registry);
        for (String type : FRAME_TYPES) {
            frames.put(
                    type,
                    Counter.builder("gateway.frames")
                            .tag("type", type)
                            .description("frames written to clients")
                            .register(registry));
        }
        this.fanout = Timer.builder("gateway.fanout.latency")
                .description("event occurredAt -> invalidate frame written to the socket")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        ChangeLog log = changeLogService.changeLog();
        Gauge.builder("gateway.consumer.lag", log, ChangeLog::lag)
                .description("records behind the end of the partitions")
                .register(registry);
        Gauge.builder("gateway.history.channels", log, ChangeLog::channelCount).register(registry);
        FunctionCounter.builder("gateway.events", log, ChangeLog::events)
                .description("events consumed")
                .register(registry);
        FunctionCounter.builder("gateway.events.unreadable", log, ChangeLog::poisonEvents)
                .register(registry);
    }

    /** Gauges the open connections: the registry's map itself, read at each scrape. */
    void connections(Map<String, Session> sessions) {
        Gauge.builder("gateway.connections", sessions, Map::size)
                .description("open WebSocket connections")
                .register(registry);
    }

    void frameSent(String type) {
        Counter counter = frames.get(type);
        if (counter != null) {
            counter.increment();
        }
    }

    void delivered(Instant occurredAt) {
        long micros = ChronoUnit.MICROS.between(occurredAt, Instant.now());
        fanout.record(Math.max(0, micros), TimeUnit.MICROSECONDS);
    }

    void subscriptions(int delta) {
        subscriptions.addAndGet(delta);
    }
}
