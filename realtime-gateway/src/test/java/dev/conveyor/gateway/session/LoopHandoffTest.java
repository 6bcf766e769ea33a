package dev.conveyor.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.devstack.DevstackResource;
import dev.conveyor.gateway.domain.Channel;
import dev.conveyor.gateway.socket.Loop;
import dev.conveyor.gateway.socket.Outbound;
import dev.conveyor.gateway.socket.TextFrame;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

/**
 * The fan-out hand-off against the real change log on the real broker: the consumer thread hands each event once to
 * each event loop that has subscribers of the channel, and that loop writes the event's one pre-encoded frame to each
 * of its connections, in order; a connection whose writes are pending collects keys and later gets one coalesced frame.
 */
@QuarkusTest
@QuarkusTestResource(DevstackResource.class)
class LoopHandoffTest extends LiveSessionTest {
    /** A single-threaded loop that counts the tasks handed to it. */
    static final class CountingLoop implements Loop, AutoCloseable {
        final AtomicInteger tasks = new AtomicInteger();
        volatile Thread thread;
        final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "test-loop");
            t.setDaemon(true);
            thread = t;
            return t;
        });

        @Override
        public void execute(Runnable task) {
            tasks.incrementAndGet();
            executor.execute(task);
        }

        @Override
        public void schedule(long delayMillis, Runnable task) {
            executor.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        }

        @Override
        public boolean inLoop() {
            return Thread.currentThread() == thread;
        }

        @Override
        public void close() {
            executor.shutdownNow();
        }
    }

    /** Records every frame, the thread that wrote it and the frame object; a stuck socket holds back the written signals. */
    static final class RecordingSocket implements Outbound {
        record Sent(JsonNode json, TextFrame frame, Thread thread) {}

        final List<Sent> sent = new CopyOnWriteArrayList<>();
        final List<Runnable> unwritten = new CopyOnWriteArrayList<>();
        final boolean stuck;

        RecordingSocket(boolean stuck) {
            this.stuck = stuck;
        }

        @Override
        public void send(String frame, Runnable written, Runnable failed) {
            send(TextFrame.of(frame), written, failed);
        }

        @Override
        public void send(TextFrame frame, Runnable written, Runnable failed) {
            sent.add(new Sent(json(frame.text()), frame, Thread.currentThread()));
            if (stuck) {
                unwritten.add(written);
            } else {
                written.run();
            }
        }

        @Override
        public void close(int code, String reason) {}

        List<String> types() {
            return sent.stream().map(s -> s.json().get("type").asText()).toList();
        }

        List<Sent> invalidates() {
            return sent.stream()
                    .filter(s -> s.json().get("type").asText().equals("invalidate"))
                    .toList();
        }

        void drainAll() {
            while (!unwritten.isEmpty()) {
                unwritten.remove(0).run();
            }
        }
    }

    /** A host for {@code user}, once the change log knows the user owns {@code project}. */
    static TestHost hostWithProject(UUID user, UUID project) {
        ownProject(user, project);
        // window 0 (as in the benchmark), two frames in flight fill a connection
        return new TestHost(
                changeLog,
                user,
                new SessionLimits(Duration.ZERO, 2, 64, Duration.ofSeconds(30), 10, 5, Duration.ofSeconds(2)),
                null);
    }

    record Connection(Session session, RecordingSocket socket, CountingLoop loop) {}

    static Connection connect(String id, CountingLoop loop, boolean stuck, TestHost host, Channel channel) {
        RecordingSocket socket = new RecordingSocket(stuck);
        Session session = new Session(id, socket, loop, host);
        // as on the gateway, inbound frames are handled on the connection's loop
        loop.execute(() -> openAndSubscribe(session, "t", channel));
        return new Connection(session, socket, loop);
    }

    /** A connection that is welcomed and subscribed to {@code channel}, on {@code loop}. */
    static Connection subscribed(String id, CountingLoop loop, TestHost host, Channel channel) {
        Connection c = connect(id, loop, false, host, channel);
        await().atMost(Duration.ofSeconds(10)).until(() -> c.socket().types().equals(List.of("welcome", "subscribed")));
        return c;
    }

    @Test
    void eachEventIsHandedOnceToEachLoopAndEveryConnectionGetsEveryFrameInOrderWhileAStuckOneGetsOneCoalescedFrame() {
        UUID user = UUID.randomUUID();
        UUID project = UUID.randomUUID();
        Channel channel = Channel.project(project);
        TestHost host = hostWithProject(user, project);

        List<CountingLoop> loops = List.of(new CountingLoop(), new CountingLoop(), new CountingLoop());
        try {
            List<Connection> fast = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                fast.add(connect("fast-" + i, loops.get(i % loops.size()), false, host, channel));
            }
            Connection stuck = connect("stuck", loops.get(0), true, host, channel);
            List<Connection> all = new ArrayList<>(fast);
            all.add(stuck);
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            all.stream().allMatch(c -> c.socket().types().equals(List.of("welcome", "subscribed"))));
            loops.forEach(loop -> loop.tasks.set(0));

            List<UUID> shots = new ArrayList<>();
            RecordMetadata last = null;
            for (int i = 0; i < 6; i++) {
                UUID shot = UUID.randomUUID();
                shots.add(shot);
                last = events.shotLink(project, user, shot);
            }
            LiveChangeLog.awaitConsumed(changeLog, channel, last);
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            fast.stream().allMatch(c -> c.socket().invalidates().size() == 6));

            // one hand-off per loop and event, not one per connection
            for (CountingLoop loop : loops) {
                assertThat(loop.tasks.get()).isEqualTo(6);
            }
            String finalPosition = changeLog.current(channel).toString();
            List<RecordingSocket.Sent> reference = fast.get(0).socket().invalidates();
            for (Connection c : fast) {
                List<RecordingSocket.Sent> frames = c.socket().invalidates();
                assertThat(frames).hasSize(6);
                for (int i = 0; i < 6; i++) {
                    RecordingSocket.Sent frame = frames.get(i);
                    assertThat(frame.json().toString()).contains(shots.get(i).toString());
                    for (int j = 0; j < 6; j++) {
                        if (j != i) {
                            assertThat(frame.json().toString())
                                    .doesNotContain(shots.get(j).toString());
                        }
                    }
                    // the event's frame is rendered and encoded once, for every connection
                    assertThat(frame.frame()).isSameAs(reference.get(i).frame());
                    // written on the connection's own loop
                    assertThat(frame.thread()).isSameAs(c.loop().thread);
                }
                assertThat(frames.get(5).json().get("position").asText()).isEqualTo(finalPosition);
            }

            // the stuck connection wrote nothing while its two frames were pending; its keys coalesced
            assertThat(stuck.socket().types()).containsExactly("welcome", "subscribed");
            stuck.loop().execute(stuck.socket()::drainAll);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> stuck.socket().invalidates().size() == 1);
            JsonNode coalesced = stuck.socket().invalidates().get(0).json();
            for (UUID shot : shots) {
                assertThat(coalesced.toString()).contains(shot.toString());
            }
            assertThat(coalesced.get("position").asText()).isEqualTo(finalPosition);
            assertThat(stuck.socket().types()).containsExactly("welcome", "subscribed", "invalidate");
        } finally {
            loops.forEach(CountingLoop::close);
        }
    }

    @Test
    void aResubscribeOnTheLoopIsNotFollowedByChangesItsResumeAlreadyCovered() {
        UUID user = UUID.randomUUID();
        UUID project = UUID.randomUUID();
        Channel channel = Channel.project(project);
        TestHost host = hostWithProject(user, project);

        try (CountingLoop loop = new CountingLoop()) {
            Connection c = subscribed("resume", loop, host, channel);
            String since = c.socket().sent.get(1).json().get("position").asText();

            // hold the loop and queue a resubscribe on it; the next event's hand-off (to the old subscription) queues
            // behind it
            java.util.concurrent.CountDownLatch hold = new java.util.concurrent.CountDownLatch(1);
            loop.execute(() -> {
                try {
                    hold.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            loop.execute(() -> c.session()
                    .onText("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\",\"since\":\"" + since + "\"}"));
            UUID shot = UUID.randomUUID();
            LiveChangeLog.awaitConsumed(changeLog, channel, events.shotLink(project, user, shot));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> loop.tasks.get() >= 4); // open, hold, resubscribe, hand-off
            hold.countDown();

            // the resume replays the change; the queued hand-off of the same change is dropped (the old subscription is
            // gone)
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> c.socket().types().size() >= 4);
            UUID next = UUID.randomUUID();
            LiveChangeLog.awaitConsumed(changeLog, channel, events.shotLink(project, user, next));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> c.socket().invalidates().stream()
                            .anyMatch(s -> s.json().toString().contains(next.toString())));
            assertThat(c.socket().types())
                    .containsExactly("welcome", "subscribed", "subscribed", "invalidate", "invalidate");
            List<RecordingSocket.Sent> invalidates = c.socket().invalidates();
            assertThat(invalidates.get(0).json().toString()).contains(shot.toString());
            assertThat(invalidates.get(1).json().toString())
                    .contains(next.toString())
                    .doesNotContain(shot.toString());
        }
    }

    @Test
    void aRevocationIsWrittenOnTheConnectionsOwnLoopNotOnTheConsumerThread() {
        UUID user = UUID.randomUUID();
        UUID project = UUID.randomUUID();
        Channel channel = Channel.project(project);
        TestHost host = hostWithProject(user, project);

        try (CountingLoop loop = new CountingLoop()) {
            Connection c = subscribed("revoked", loop, host, channel);

            // the project changes owner: the consumer thread reads it and revokes this connection's subscription
            events.project(project, UUID.randomUUID());
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> c.socket().types().contains("unsubscribed"));

            RecordingSocket.Sent revoked = c.socket().sent.get(2);
            assertThat(revoked.json().get("channel").asText()).isEqualTo(channel.toString());
            assertThat(revoked.json().get("reason").asText()).isEqualTo("forbidden");
            // like every frame of the connection, written on its own loop
            assertThat(revoked.thread()).isSameAs(loop.thread);
            assertThat(c.session().subscriptionCount()).isZero();
        }
    }
}
