package dev.conveyor.gateway.fanout;

import dev.conveyor.contracts.Topics;
import dev.conveyor.gateway.domain.Channel;
import dev.conveyor.gateway.domain.Position;
import dev.conveyor.gateway.domain.Position.TopicPart;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.utils.Utils;

/**
 * The offsets a channel's position and its history's completeness are made of: the next offset the consumer reads in
 * each partition, where the rebuilt history starts, how far evicted channels had got, and how many partitions each
 * topic has. Written by the consumer thread, read by any thread.
 */
public final class ReadPositions {
    private final Map<TopicPart, Long> next = new ConcurrentHashMap<>();
    private final Map<TopicPart, Long> start = new ConcurrentHashMap<>();
    private final Map<TopicPart, Long> evictionFloor = new ConcurrentHashMap<>();
    private final Map<String, Integer> partitionCounts = new ConcurrentHashMap<>();

    /** False until the consumer has read the topics' metadata (before that no channel has partitions). */
    public boolean assigned() {
        return !partitionCounts.isEmpty();
    }

    public void partitionCounts(Map<String, Integer> counts) {
        partitionCounts.putAll(counts);
    }

    /** The next offset to read in {@code part}, or null before the first assignment. */
    public Long next(TopicPart part) {
        return next.get(part);
    }

    public long nextOrZero(TopicPart part) {
        return next.getOrDefault(part, 0L);
    }

    public void seek(TopicPart part, long offset) {
        next.put(part, offset);
    }

    /** The record at {@code offset} is handled: a position taken now lies after it. */
    public void consumed(TopicPart part, long offset) {
        next.put(part, offset + 1);
    }

    /** The first offset the rebuilt history holds in {@code part} (a resume before it is a reset). */
    public void historyStart(TopicPart part, long offset) {
        start.put(part, offset);
    }

    /** Offsets below this are not (or no longer) in a newly created channel's history. */
    long completeFrom(TopicPart part) {
        return Math.max(start.getOrDefault(part, 0L), evictionFloor.getOrDefault(part, 0L));
    }

    /** A channel fed by {@code parts} was dropped: a channel created later does not know what it missed until now. */
    void evicted(List<TopicPart> parts) {
        for (TopicPart part : parts) {
            evictionFloor.merge(part, nextOrZero(part), Math::max);
        }
    }

    Position position(List<TopicPart> parts) {
        Map<TopicPart, Long> offsets = new HashMap<>();
        for (TopicPart part : parts) {
            offsets.put(part, nextOrZero(part));
        }
        return new Position(offsets);
    }

    /** The topic-partitions feeding a channel: the partitions its key (the project or user id) is produced to. */
    List<TopicPart> partsOf(Channel channel) {
        byte[] key = channel.id().toString().getBytes(StandardCharsets.UTF_8);
        List<String> topics = channel.kind() == Channel.Kind.PROJECT
                ? List.of(Topics.TASK_EVENTS, Topics.GENERATION_EVENTS)
                : List.of(Topics.ACCOUNT_EVENTS);
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
}
