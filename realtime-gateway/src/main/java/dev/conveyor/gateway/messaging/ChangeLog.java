package dev.conveyor.gateway.messaging;

import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.ProjectSnapshot;
import dev.conveyor.contracts.Topics;
import dev.conveyor.gateway.domain.CacheKey;
import dev.conveyor.gateway.domain.Change;
import dev.conveyor.gateway.domain.Channel;
import dev.conveyor.gateway.domain.KeyMapper;
import dev.conveyor.gateway.domain.KeySets;
import dev.conveyor.gateway.domain.Position;
import dev.conveyor.gateway.domain.Position.TopicPart;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's view of Kafka, with no Quarkus in it: one plain consumer per replica that is assigned every partition
 * of task-events, generation-events, account-events (rebuilt from {@code now - lookback} by timestamp) and projects
 * (from the beginning, for ownership). Each event is mapped once to its channel and keys, appended to the channel's
 * bounded history and handed to the channel's subscribers. Positions are Kafka offsets, so any replica can resume a
 * position taken on another.
 */
public final class ChangeLog implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ChangeLog.class);
    static final List<String> CHANGE_TOPICS = List.of(Topics.TASK_EVENTS, Topics.GENERATION_EVENTS, Topics.ACCOUNT_EVENTS);

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

    /** One attach: who, from which position, and whether it still holds (hand-offs already queued check it). */
    private static final class Subscription {
        final Subscriber subscriber;
        final Position cursor;
        volatile boolean active = true;

        Subscription(Subscriber subscriber, Position cursor) {
            this.subscriber = subscriber;
            this.cursor = cursor;
        }

        /** False for an event at or before the position the attach already covered (replayed or skipped). */
        boolean wants(TopicPart part, long offset) {
            Long at = cursor.offsets().get(part);
            return active && (at == null || offset >= at);
        }
    }

    /** The subscribers of one channel on one loop, as a snapshot taken under the channel's lock. */
    private record LoopGroup(Executor loop, Subscription[] subscriptions) {
    }

    /** The answer to a resume: the keys missed since the position, or a reset (history does not reach back). */
    public record Resume(Position position, List<CacheKey> keys, boolean reset) {
    }

    /** Thrown while the replica has not yet read the topics' metadata. */
    public static final class NotReadyException extends RuntimeException {
        NotReadyException() {
            super("the gateway has not connected to Kafka yet");
        }
    }

    private record Entry(TopicPart part, long offset, List<CacheKey> keys) {
    }

    private final class ChannelState {
        final Channel channel;
        final List<TopicPart> parts;
        final ArrayDeque<Entry> history = new ArrayDeque<>();
        final Map<TopicPart, Long> completeFrom = new HashMap<>();
        final Map<Subscriber, Subscription> subscribers = new LinkedHashMap<>();
        /** Subscribers grouped by loop; rebuilt on the next event after an attach or a detach. */
        List<LoopGroup> groups;
        long lastTouched = System.nanoTime();
        boolean removed;

        ChannelState(Channel channel, List<TopicPart> parts) {
            this.channel = channel;
            this.parts = parts;
            for (TopicPart part : parts) {
                completeFrom.put(part, Math.max(start.getOrDefault(part, 0L), evictionFloor.getOrDefault(part, 0L)));
            }
        }

        Position position() {
            Map<TopicPart, Long> offsets = new HashMap<>();
            for (TopicPart part : parts) {
                offsets.put(part, next.getOrDefault(part, 0L));
            }
            return new Position(offsets);
        }
    }

    private final ChangeLogSettings settings;
    private final Map<TopicPart, Long> next = new ConcurrentHashMap<>();
    private final Map<TopicPart, Long> start = new ConcurrentHashMap<>();
    private final Map<TopicPart, Long> evictionFloor = new ConcurrentHashMap<>();
    private final Map<TopicPart, Long> catchUpTarget = new ConcurrentHashMap<>();
    private final Map<String, Integer> partitionCounts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Channel, ChannelState> channels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<UUID, UUID> owners = new ConcurrentHashMap<>();
    private final Set<String> misroutedWarned = ConcurrentHashMap.newKeySet();
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong poisonEvents = new AtomicLong();
    private final Thread thread;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean running = true;
    private volatile boolean caughtUp;
    private volatile boolean ownersLoaded;
    private volatile long lastPollNanos = System.nanoTime();
    private volatile long lastProgressNanos = System.nanoTime();
    private volatile long lag;
    private volatile String lastError;

    public ChangeLog(ChangeLogSettings settings, String name) {
        this.settings = settings;
        this.thread = new Thread(this::run, "changelog-" + name);
        this.thread.setDaemon(true);
    }

    public ChangeLog start() {
        thread.start();
        return this;
    }

    // ---------------------------------------------------------------- subscribers

    /**
     * Subscribes {@code subscriber} to {@code channel}. Without {@code since}: from the current position. With
     * {@code since} inside this replica's history: the keys missed since then (coalesced). Outside: a reset. From then
     * on every change after the returned position reaches the subscriber, none twice, none lost.
     */
    public Resume attach(Channel channel, Position since, Subscriber subscriber) {
        while (true) {
            ChannelState state = state(channel);
            synchronized (state) {
                if (state.removed) {
                    continue;
                }
                Resume resume = resume(state, since);
                Subscription previous = state.subscribers.put(subscriber, new Subscription(subscriber, resume.position()));
                if (previous != null) {
                    previous.active = false;
                }
                state.groups = null;
                state.lastTouched = System.nanoTime();
                return resume;
            }
        }
    }

    public void detach(Channel channel, Subscriber subscriber) {
        ChannelState state = channels.get(channel);
        if (state != null) {
            synchronized (state) {
                Subscription gone = state.subscribers.remove(subscriber);
                if (gone != null) {
                    gone.active = false;
                    state.groups = null;
                }
            }
        }
    }

    /** What changed on {@code channel} since {@code since} (the HTTP cursor), without subscribing. */
    public Resume changes(Channel channel, Position since) {
        while (true) {
            ChannelState state = state(channel);
            synchronized (state) {
                if (!state.removed) {
                    return resume(state, since);
                }
            }
        }
    }

    /** The channel's current position on this replica. */
    public Position current(Channel channel) {
        return changes(channel, null).position();
    }

    private Resume resume(ChannelState state, Position since) {
        Position current = state.position();
        if (since == null) {
            return new Resume(current, List.of(), false);
        }
        if (!since.offsets().keySet().equals(new HashSet<>(state.parts))) {
            return new Resume(current, state.channel.allKeys(), true);
        }
        Map<TopicPart, Long> cursor = new HashMap<>();
        for (TopicPart part : state.parts) {
            long asked = since.offset(part);
            long now = current.offset(part);
            if (asked < state.completeFrom.get(part) || (asked > now && caughtUp)) {
                return new Resume(current, state.channel.allKeys(), true);
            }
            cursor.put(part, Math.max(asked, now));
        }
        List<CacheKey> missed = new ArrayList<>();
        for (Entry entry : state.history) {
            if (entry.offset >= since.offset(entry.part)) {
                missed.addAll(entry.keys);
            }
        }
        return new Resume(new Position(cursor), KeySets.cover(missed, state.channel.allKeys()), false);
    }

    private ChannelState state(Channel channel) {
        if (partitionCounts.isEmpty()) {
            throw new NotReadyException();
        }
        return channels.computeIfAbsent(channel, c -> new ChannelState(c, partsOf(c)));
    }

    /** The topic-partitions feeding a channel: the partitions its key (the project or user id) is produced to. */
    List<TopicPart> partsOf(Channel channel) {
        byte[] key = channel.id().toString().getBytes(StandardCharsets.UTF_8);
        List<String> topics = channel.kind() == Channel.Kind.PROJECT
                ? List.of(Topics.TASK_EVENTS, Topics.GENERATION_EVENTS) : List.of(Topics.ACCOUNT_EVENTS);
        List<TopicPart> parts = new ArrayList<>();
        for (String topic : topics) {
            Integer count = partitionCounts.get(topic);
            if (count == null) {
                throw new NotReadyException();
            }
            parts.add(new TopicPart(topic, Utils.toPositive(Utils.murmur2(key)) % count));
        }
        return List.copyOf(parts);
    }

    /** The project's owner as last read from the compacted projects topic. */
    public Optional<UUID> owner(UUID project) {
        return Optional.ofNullable(owners.get(project));
    }

    // ---------------------------------------------------------------- health and metrics

    /** True once the history was rebuilt (every partition read up to its end at start) and ownership is loaded. */
    public boolean caughtUp() {
        return caughtUp;
    }

    public boolean ownersLoaded() {
        return ownersLoaded;
    }

    /** True when the poll loop has not returned, or made no progress while behind, for longer than stuckAfter. */
    public boolean stuck() {
        long now = System.nanoTime();
        long limit = settings.stuckAfter().toNanos();
        return now - lastPollNanos > limit || (lag > 0 && now - lastProgressNanos > limit);
    }

    public long lag() {
        return lag;
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
        return lastError;
    }

    // ---------------------------------------------------------------- consumer thread

    private void run() {
        while (running) {
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerConfig())) {
                consumer = c;
                assignAndRebuild(c);
                while (running) {
                    ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(200));
                    lastPollNanos = System.nanoTime();
                    if (!records.isEmpty()) {
                        lastProgressNanos = lastPollNanos;
                    }
                    for (ConsumerRecord<byte[], byte[]> record : records) {
                        process(record);
                    }
                    afterPoll(c);
                }
            } catch (WakeupException e) {
                if (running) {
                    LOG.warn("change log consumer woken up unexpectedly; restarting it");
                }
            } catch (RuntimeException e) {
                lastError = e.toString();
                if (running) {
                    LOG.errorf(e, "change log consumer failed; restarting it in 1 s");
                    sleepQuietly(1000);
                }
            }
        }
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, thread.getName() + "-" + UUID.randomUUID());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return config;
    }

    private void assignAndRebuild(KafkaConsumer<byte[], byte[]> c) {
        List<TopicPartition> all = new ArrayList<>();
        Map<String, Integer> counts = new HashMap<>();
        for (String topic : List.of(Topics.TASK_EVENTS, Topics.GENERATION_EVENTS, Topics.ACCOUNT_EVENTS, Topics.PROJECTS)) {
            List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                throw new IllegalStateException("topic " + topic + " does not exist");
            }
            counts.put(topic, infos.size());
            infos.forEach(info -> all.add(new TopicPartition(topic, info.partition())));
        }
        c.assign(all);
        boolean restart = !partitionCounts.isEmpty();
        Map<TopicPartition, Long> since = new HashMap<>();
        long from = Instant.now().minus(settings.lookback()).toEpochMilli();
        for (TopicPartition tp : all) {
            if (!tp.topic().equals(Topics.PROJECTS)) {
                since.put(tp, from);
            }
        }
        Map<TopicPartition, OffsetAndTimestamp> found = c.offsetsForTimes(since, Duration.ofSeconds(30));
        Map<TopicPartition, Long> ends = c.endOffsets(all, Duration.ofSeconds(30));
        Map<TopicPartition, Long> beginnings = c.beginningOffsets(all, Duration.ofSeconds(30));
        for (TopicPartition tp : all) {
            TopicPart part = new TopicPart(tp.topic(), tp.partition());
            long offset;
            if (restart && next.containsKey(part)) {
                offset = next.get(part); // a consumer restart continues where it was: history stays complete
            } else if (tp.topic().equals(Topics.PROJECTS)) {
                offset = beginnings.get(tp);
            } else {
                OffsetAndTimestamp at = found.get(tp);
                offset = at != null ? at.offset() : ends.get(tp);
                start.put(part, offset);
            }
            c.seek(tp, offset);
            next.put(part, offset);
            catchUpTarget.put(part, ends.get(tp));
        }
        partitionCounts.putAll(counts);
        LOG.infof("change log assigned %d partitions, rebuilding %s of history", all.size(), settings.lookback());
        checkCaughtUp();
    }

    private void process(ConsumerRecord<byte[], byte[]> record) {
        TopicPart part = new TopicPart(record.topic(), record.partition());
        if (record.topic().equals(Topics.PROJECTS)) {
            project(record);
            next.put(part, record.offset() + 1);
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
            next.put(part, record.offset() + 1);
            return;
        }
        if (change.isEmpty()) {
            next.put(part, record.offset() + 1);
            return;
        }
        Channel channel = change.get().channel();
        List<CacheKey> keys = change.get().keys();
        while (true) {
            ChannelState state = state(channel);
            synchronized (state) {
                if (state.removed) {
                    continue;
                }
                next.put(part, record.offset() + 1);
                state.lastTouched = System.nanoTime();
                if (state.parts.contains(part)) {
                    state.history.addLast(new Entry(part, record.offset(), keys));
                    while (state.history.size() > settings.historyPerChannel()) {
                        Entry dropped = state.history.removeFirst();
                        state.completeFrom.merge(dropped.part, dropped.offset + 1, Math::max);
                    }
                } else if (misroutedWarned.add(record.topic())) {
                    LOG.warnf("event for %s arrived on %s, not on the channel's partition: is the record key the id's string form?",
                            channel, part);
                }
                if (state.subscribers.isEmpty()) {
                    return;
                }
                ChannelChange shared = new ChannelChange(channel, keys, state.position(), occurredAt);
                long offset = record.offset();
                for (LoopGroup group : groups(state)) {
                    if (group.loop() == null) {
                        deliver(group.subscriptions(), shared, part, offset);
                    } else {
                        try {
                            group.loop().execute(() -> deliver(group.subscriptions(), shared, part, offset));
                        } catch (RuntimeException e) {
                            LOG.warnf(e, "hand-off of %s to a loop failed", channel);
                        }
                    }
                }
                return;
            }
        }
    }

    /** The channel's subscribers grouped by loop (caller holds the channel's lock). */
    private static List<LoopGroup> groups(ChannelState state) {
        List<LoopGroup> groups = state.groups;
        if (groups == null) {
            Map<Executor, List<Subscription>> byLoop = new LinkedHashMap<>();
            List<Subscription> direct = new ArrayList<>();
            for (Subscription subscription : state.subscribers.values()) {
                Executor loop = subscription.subscriber.loop();
                (loop == null ? direct : byLoop.computeIfAbsent(loop, l -> new ArrayList<>())).add(subscription);
            }
            groups = new ArrayList<>(byLoop.size() + 1);
            if (!direct.isEmpty()) {
                groups.add(new LoopGroup(null, direct.toArray(Subscription[]::new)));
            }
            for (Map.Entry<Executor, List<Subscription>> entry : byLoop.entrySet()) {
                groups.add(new LoopGroup(entry.getKey(), entry.getValue().toArray(Subscription[]::new)));
            }
            state.groups = groups;
        }
        return groups;
    }

    /** Runs on the subscribers' loop (or the consumer thread): one event to each subscriber that still wants it. */
    private static void deliver(Subscription[] subscriptions, ChannelChange change, TopicPart part, long offset) {
        for (Subscription subscription : subscriptions) {
            if (!subscription.wants(part, offset)) {
                continue; // detached since, or already replayed to (or skipped by) this subscriber
            }
            try {
                subscription.subscriber.onChange(change);
            } catch (RuntimeException e) {
                LOG.warnf(e, "subscriber of %s failed", change.channel());
            }
        }
    }

    private void project(ConsumerRecord<byte[], byte[]> record) {
        UUID project;
        try {
            project = UUID.fromString(new String(record.key(), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            poisonEvents.incrementAndGet();
            return;
        }
        UUID owner = null;
        if (record.value() != null) {
            try {
                ProjectSnapshot snapshot = EventEnvelope.fromJson(record.value()).dataAs(ProjectSnapshot.class);
                owner = snapshot == null ? null : snapshot.ownerId();
            } catch (RuntimeException e) {
                poisonEvents.incrementAndGet();
                return;
            }
        }
        UUID previous = owner == null ? owners.remove(project) : owners.put(project, owner);
        if (previous != null && !previous.equals(owner)) {
            revoke(Channel.project(project), owner);
        }
    }

    private void revoke(Channel channel, UUID newOwner) {
        ChannelState state = channels.get(channel);
        if (state == null) {
            return;
        }
        synchronized (state) {
            var it = state.subscribers.values().iterator();
            while (it.hasNext()) {
                Subscription subscription = it.next();
                if (!subscription.subscriber.user().equals(newOwner)) {
                    it.remove();
                    subscription.active = false;
                    state.groups = null;
                    subscription.subscriber.onRevoked(channel);
                }
            }
        }
    }

    private void afterPoll(KafkaConsumer<byte[], byte[]> c) {
        long total = 0;
        for (TopicPartition tp : c.assignment()) {
            var current = c.currentLag(tp);
            if (current.isPresent()) {
                total += current.getAsLong();
            }
        }
        lag = total;
        if (!caughtUp) {
            checkCaughtUp();
        }
        if (channels.size() > settings.maxChannels()) {
            evictChannels();
        }
    }

    private void checkCaughtUp() {
        boolean owned = true;
        boolean all = true;
        for (Map.Entry<TopicPart, Long> target : catchUpTarget.entrySet()) {
            boolean reached = next.getOrDefault(target.getKey(), 0L) >= target.getValue();
            all &= reached;
            if (target.getKey().topic().equals(Topics.PROJECTS)) {
                owned &= reached;
            }
        }
        ownersLoaded = owned;
        if (all && !caughtUp) {
            caughtUp = true;
            LOG.infof("change log caught up: %d channels, %d projects", channels.size(), owners.size());
        }
    }

    private void evictChannels() {
        List<ChannelState> candidates = new ArrayList<>(channels.values());
        candidates.sort(Comparator.comparingLong(s -> s.lastTouched));
        int target = settings.maxChannels() - settings.maxChannels() / 10;
        for (ChannelState state : candidates) {
            if (channels.size() <= target) {
                break;
            }
            synchronized (state) {
                if (!state.subscribers.isEmpty()) {
                    continue;
                }
                state.removed = true;
                for (TopicPart part : state.parts) {
                    evictionFloor.merge(part, next.getOrDefault(part, 0L), Math::max);
                }
                channels.remove(state.channel, state);
            }
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
