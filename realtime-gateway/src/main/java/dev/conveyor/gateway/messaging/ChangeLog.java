package dev.conveyor.gateway.messaging;

import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.Topics;
import dev.conveyor.gateway.domain.CacheKey;
import dev.conveyor.gateway.domain.Change;
import dev.conveyor.gateway.domain.Channel;
import dev.conveyor.gateway.domain.KeyMapper;
import dev.conveyor.gateway.domain.Position;
import dev.conveyor.gateway.domain.Position.TopicPart;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * The gateway's view of Kafka, with no Quarkus in it (a second replica can run it standalone). It wires four parts:
 * the {@link KafkaReader} (the consumer thread), the {@link ChannelHistory} (each channel's bounded history and what a
 * position missed), the {@link ChannelFanOut} (each channel's subscribers, one hand-off per loop) and the
 * {@link ProjectOwners}. Each event is mapped once to its channel and keys, appended to the channel's history and
 * handed to the channel's subscribers. Positions are Kafka offsets, so any replica can resume a position taken on
 * another.
 */
public final class ChangeLog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ChangeLog.class);

    /**
     * Someone who hears a channel's changes. {@link #onChange} runs on the subscriber's {@link #loop()}: the consumer
     * thread hands each event once to each loop that has subscribers of the channel, and that loop calls every one of
     * its subscribers in turn (in event order). Without a loop it is called on the consumer thread: be quick.
     */
    public interface Subscriber {
        UUID user();

        /**
         * Where this subscriber's changes are delivered; subscribers returning the same executor share one hand-off
         * per event. The executor must run tasks in submission order. Null: on the consumer thread.
         */
        default Executor loop() {
            return null;
        }

        void onChange(Channel channel, List<CacheKey> keys, Position position, Instant occurredAt);

        /** The same, with the change object shared by every subscriber of the event (for memoised rendering). */
        default void onChange(ChannelChange change) {
            onChange(change.channel(), change.keys(), change.position(), change.occurredAt());
        }

        /** The channel's project was deleted or changed owner: the subscription is gone. */
        void onRevoked(Channel channel);
    }

    /** The answer to a resume: the keys missed since the position, or a reset (history does not reach back). */
    public record Resume(Position position, List<CacheKey> keys, boolean reset) {}

    /** Thrown while the replica has not yet read the topics' metadata. */
    public static final class NotReadyException extends RuntimeException {
        NotReadyException() {
            super("the gateway has not connected to Kafka yet");
        }
    }

    private final ReadPositions positions = new ReadPositions();
    private final ChannelHistory history;
    private final ProjectOwners owners;
    private final KafkaReader reader;
    private final Set<String> misroutedWarned = ConcurrentHashMap.newKeySet();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong poisonEvents = new AtomicLong();

    public ChangeLog(ChangeLogSettings settings, String name) {
        this.history =
                new ChannelHistory(positions, this::caughtUp, settings.historyPerChannel(), settings.maxChannels());
        this.owners = new ProjectOwners(this::revoke);
        this.reader = new KafkaReader(settings, name, positions, new KafkaReader.Handler() {
            @Override
            public void handle(ConsumerRecord<byte[], byte[]> record) {
                process(record);
            }

            @Override
            public void afterPoll() {
                history.evictIfOverLimit();
            }

            @Override
            public void caughtUp() {
                LOG.infof("change log caught up: %d channels, %d projects", history.size(), owners.size());
            }
        });
    }

    public ChangeLog start() {
        reader.start();
        return this;
    }

    // ---------------------------------------------------------------- subscribers

    /**
     * Subscribes {@code subscriber} to {@code channel}. Without {@code since}: from the current position. With
     * {@code since} inside this replica's history: the keys missed since then (coalesced). Outside: a reset. From then
     * on every change after the returned position reaches the subscriber, none twice, none lost.
     */
    public Resume attach(Channel channel, Position since, Subscriber subscriber) {
        return history.locked(channel, state -> {
            Resume resume = state.resume(since);
            state.fanOut.add(subscriber, resume.position());
            state.touched();
            return resume;
        });
    }

    public void detach(Channel channel, Subscriber subscriber) {
        history.ifPresent(channel, state -> state.fanOut.remove(subscriber));
    }

    /** What changed on {@code channel} since {@code since} (the HTTP cursor), without subscribing. */
    public Resume changes(Channel channel, Position since) {
        return history.locked(channel, state -> state.resume(since));
    }

    /** The channel's current position on this replica. */
    public Position current(Channel channel) {
        return changes(channel, null).position();
    }

    /** The project's owner as last read from the compacted projects topic. */
    public Optional<UUID> owner(UUID project) {
        return owners.owner(project);
    }

    // ---------------------------------------------------------------- health and metrics

    /** True once the history was rebuilt (every partition read up to its end at start) and ownership is loaded. */
    public boolean caughtUp() {
        return reader.caughtUp();
    }

    public boolean ownersLoaded() {
        return reader.ownersLoaded();
    }

    /** True when the poll loop has not returned, or made no progress while behind, for longer than stuckAfter. */
    public boolean stuck() {
        return reader.stuck();
    }

    public long lag() {
        return reader.lag();
    }

    public long events() {
        return events.get();
    }

    public long poisonEvents() {
        return poisonEvents.get();
    }

    public int channelCount() {
        return history.size();
    }

    public String lastError() {
        return reader.lastError();
    }

    // ---------------------------------------------------------------- on the consumer thread

    private void process(ConsumerRecord<byte[], byte[]> record) {
        TopicPart part = new TopicPart(record.topic(), record.partition());
        if (record.topic().equals(Topics.PROJECTS)) {
            if (!owners.apply(record)) {
                poisonEvents.incrementAndGet();
            }
            positions.consumed(part, record.offset());
            return;
        }
        events.incrementAndGet();
        Optional<Change> change;
        Instant occurredAt;
        try {
            EventEnvelope event = EventEnvelope.fromJson(record.value());
            occurredAt = event.occurredAt();
            change = KeyMapper.map(event);
        } catch (RuntimeException e) {
            poisonEvents.incrementAndGet();
            LOG.debugf("skipping unreadable event at %s:%d: %s", part, record.offset(), e.getMessage());
            positions.consumed(part, record.offset());
            return;
        }
        if (change.isEmpty()) {
            positions.consumed(part, record.offset());
            return;
        }
        Channel channel = change.get().channel();
        List<CacheKey> keys = change.get().keys();
        history.locked(channel, state -> {
            positions.consumed(part, record.offset());
            state.touched();
            if (!state.append(part, record.offset(), keys) && misroutedWarned.add(record.topic())) {
                LOG.warnf(
                        "event for %s arrived on %s, not on the channel's partition: is the record key the id's string form?",
                        channel, part);
            }
            if (!state.fanOut.isEmpty()) {
                state.fanOut.publish(
                        new ChannelChange(channel, keys, state.position(), occurredAt), part, record.offset());
            }
            return null;
        });
    }

    /** The project changed owner (or was deleted): every other subscriber of its channel loses it. */
    private void revoke(UUID project, UUID newOwner) {
        Channel channel = Channel.project(project);
        history.ifPresent(channel, state -> state.fanOut.revokeAllBut(channel, newOwner));
    }

    @Override
    public void close() {
        reader.close();
    }
}
