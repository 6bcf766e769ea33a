package dev.conveyor.gateway.session;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.Json;
import dev.conveyor.gateway.TestEventsAccess;
import dev.conveyor.gateway.domain.Channel;
import dev.conveyor.gateway.kafka.ChangeLog;
import dev.conveyor.gateway.socket.Loop;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;

/**
 * Shared setup of the tests that drive {@link Session}s directly against the real change log on the real broker: a
 * change log of the test class's own ({@link LiveChangeLog}, its thread named after the class), the event producer and a
 * timer thread, started before the class's tests and closed after them, plus the steps every such test takes.
 */
abstract class LiveSessionTest {
    static ChangeLog changeLog;
    static TestEventsAccess events;
    static ScheduledExecutorService timers;

    @BeforeAll
    static void startChangeLogAndProducer(TestInfo info) {
        // CoalescingWindowTest -> "coalescing-window-test"
        String name = info.getTestClass()
                .orElseThrow()
                .getSimpleName()
                .replaceAll("([a-z0-9])([A-Z])", "$1-$2")
                .toLowerCase();
        changeLog = LiveChangeLog.start(name);
        events = new TestEventsAccess();
        timers = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void stopChangeLogAndProducer() {
        changeLog.close();
        events.close();
        timers.shutdownNow();
    }

    /** A loop that runs tasks on the timer thread. */
    static Loop onTimers() {
        return loop(task -> timers.execute(task));
    }

    /** A loop that runs tasks on the calling thread at once; its timers run on the timer thread. */
    static Loop direct() {
        return loop(Runnable::run);
    }

    private static Loop loop(Executor executor) {
        return new Loop() {
            @Override
            public void execute(Runnable task) {
                executor.execute(task);
            }

            @Override
            public void schedule(long delayMillis, Runnable task) {
                timers.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
            }
        };
    }

    /** Publishes {@code project} as owned by {@code user} and waits until the change log knows it. */
    static void ownProject(UUID user, UUID project) {
        events.project(project, user);
        LiveChangeLog.awaitOwner(changeLog, project);
    }

    /** A new project owned by {@code user}, known to the change log: its channel. */
    static Channel newOwnedProject(UUID user) {
        UUID project = UUID.randomUUID();
        ownProject(user, project);
        return Channel.project(project);
    }

    /** What a client does first: opens {@code session}, authenticates with {@code token}, subscribes to {@code channel}. */
    static void openAndSubscribe(Session session, String token, Channel channel) {
        session.open(null);
        session.onText("{\"type\":\"auth\",\"token\":\"" + token + "\"}");
        session.onText("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
    }

    /** A frame a test socket was given, as JSON. */
    static JsonNode json(String frame) {
        try {
            return Json.MAPPER.readTree(frame);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
