package dev.conveyor.gateway.kafka;

import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.Topics;
import dev.conveyor.gateway.domain.Change;
import dev.conveyor.gateway.domain.Channel;
import dev.conveyor.gateway.domain.KeyMapper;
import dev.conveyor.gateway.domain.Position;
import dev.conveyor.gateway.domain.Position.TopicPart;
import dev.conveyor.gateway.fanout.Channels;
import dev.conveyor.gateway.fanout.ReadPositions;
import dev.conveyor.gateway.fanout.Resume;
import dev.conveyor.gateway.fanout.Subscriber;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * The gateway's view of Kafka, with no Quarkus in it (a second replica can run it standalone). It wires four parts:
 * the {@link KafkaReader} (the consumer thread), the {@link ReadPositions} (the offsets positions are made of), the
 * {@link Channels} (each channel's bounded history and subscribers) and the {@link ProjectOwners}. Each event is mapped
 * once to its channel and keys — task and account events from their headers and key alone ({@link HeaderDecision}),
 * the value parsed only for generation and shot events or a record without those headers — appended to the channel's history and
 * handed to the channel's subscribers. Positions are Kafka offsets, so any replica can resume a position taken on
 * another.
 */
public final class ChangeLog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ChangeLog.class);

    private final ReadPositions positions = new ReadPositions();
    private final Channels channels;
    private final ProjectOwners owners;
    private final KafkaReader reader;
    private final Set<String> misroutedWarned = ConcurrentHashMap.newKeySet();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong poisonEvents = new AtomicLong();

    public ChangeLog(ChangeLogSettings settings, String name) {
        this.channels = new Channels(positions, this::caughtUp, settings.historyPerChannel(), settings.maxChannels());
        this.owners = new ProjectOwners(this::revoke);
        this.reader = new KafkaReader(settings, name, positions, new KafkaReader.Handler() {
            @Override
            public void handle(ConsumerRecord<byte[], byte[]> record) {
                process(record);
            }

            @Override
            public void afterPoll() {
                channels.evictIfOverLimit();
            }

            @Override
            public void caughtUp() {
                LOG.infof("change log caught up: %d channels, %d projects", channels.size(), owners.size());
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
        return channels.attach(channel, since, subscriber);
    }

    public void detach(Channel channel, Subscriber subscriber) {
        channels.detach(channel, subscriber);
    }

    /** What changed on {@code channel} since {@code since} (the HTTP cursor), without subscribing. */
    public Resume changes(Channel channel, Position since) {
        return channels.changes(channel, since);
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
        return channels.size();
    }

    public String lastError() {
        return reader.lastError();
    }

    /** How often the consumer failed and was replaced (continuing where it was) since start. */
    public long restarts() {
        return reader.restarts();
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
        HeaderDecision decided = HeaderDecision.of(record);
        if (decided != null) {
            change = decided.change();
            occurredAt = decided.occurredAt();
        } else {
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
        }
        if (change.isEmpty()) {
            positions.consumed(part, record.offset());
            return;
        }
        Channel channel = change.get().channel();
        boolean fed = channels.record(channel, change.get().keys(), part, record.offset(), occurredAt);
        if (!fed && misroutedWarned.add(record.topic())) {
            LOG.warnf(
                    "event for %s arrived on %s, not on the channel's partition: is the record key the id's string form?",
                    channel, part);
        }
    }

    /** The project changed owner (or was deleted): every other subscriber of its channel loses it. */
    private void revoke(UUID project, UUID newOwner) {
        channels.revokeAllBut(Channel.project(project), newOwner);
    }

    @Override
    public void close() {
        reader.close();
    }
}
