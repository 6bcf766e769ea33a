package dev.conveyor.gateway.domain;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A channel's position: for each Kafka topic-partition that feeds the channel, the next offset to read (everything
 * below it is included). Written as {@code task-events:3:120,generation-events:3:57} (topic:partition:offset, comma
 * separated, ordered by topic then partition). Offsets are Kafka's, so a position is valid on every gateway replica.
 */
public record Position(Map<TopicPart, Long> offsets) {

    /** A topic-partition, written {@code topic:partition}. */
    public record TopicPart(String topic, int partition) implements Comparable<TopicPart> {
        @Override
        public int compareTo(TopicPart o) {
            int byTopic = topic.compareTo(o.topic);
            return byTopic != 0 ? byTopic : Integer.compare(partition, o.partition);
        }

        /* By hand, as Channel's: a lookup key on every event (a record's generated equals runs through method handles). */
        @Override
        public boolean equals(Object o) {
            return o instanceof TopicPart other && partition == other.partition && Objects.equals(topic, other.topic);
        }

        @Override
        public int hashCode() {
            return 31 * Objects.hashCode(topic) + partition;
        }

        @Override
        public String toString() {
            return topic + ":" + partition;
        }
    }

    public Position {
        offsets = Collections.unmodifiableMap(new TreeMap<>(offsets));
    }

    public long offset(TopicPart part) {
        Long offset = offsets.get(part);
        if (offset == null) {
            throw new IllegalArgumentException("position has no offset for " + part);
        }
        return offset;
    }

    /** Parses the written form; throws {@link IllegalArgumentException} on anything else. */
    public static Position parse(String text) {
        if (text == null || text.isBlank() || text.length() > 1024) {
            throw new IllegalArgumentException("position is empty or too long");
        }
        Map<TopicPart, Long> offsets = new TreeMap<>();
        for (String item : text.split(",", -1)) {
            int last = item.lastIndexOf(':');
            int middle = last > 0 ? item.lastIndexOf(':', last - 1) : -1;
            if (middle <= 0) {
                throw new IllegalArgumentException("position items are topic:partition:offset");
            }
            try {
                String topic = item.substring(0, middle);
                int partition = Integer.parseInt(item.substring(middle + 1, last));
                long offset = Long.parseLong(item.substring(last + 1));
                if (partition < 0 || offset < 0) {
                    throw new IllegalArgumentException("negative partition or offset");
                }
                if (offsets.put(new TopicPart(topic, partition), offset) != null) {
                    throw new IllegalArgumentException("position names " + topic + ":" + partition + " twice");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("position partition and offset are numbers");
            }
        }
        return new Position(offsets);
    }

    @JsonValue
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        offsets.forEach((part, offset) -> {
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(part.topic())
                    .append(':')
                    .append(part.partition())
                    .append(':')
                    .append(offset);
        });
        return out.toString();
    }
}
