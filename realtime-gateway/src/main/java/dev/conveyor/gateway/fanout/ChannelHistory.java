package dev.conveyor.gateway.fanout;

import dev.conveyor.gateway.domain.CacheKey;
import dev.conveyor.gateway.domain.Channel;
import dev.conveyor.gateway.domain.KeySets;
import dev.conveyor.gateway.domain.Position;
import dev.conveyor.gateway.domain.Position.TopicPart;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Each channel's bounded history (the keys of its last events, with their offsets) and what a position taken on it
 * has missed. A channel's history and its {@link ChannelFanOut} share one lock, so an event is appended and handed out
 * atomically with respect to a subscribe or resume. Beyond {@code maxChannels}, the least recently changed channels
 * without subscribers are dropped (a later resume on them is a reset).
 */
final class ChannelHistory {
    private record Entry(TopicPart part, long offset, List<CacheKey> keys) {}

    /** One channel. Every field is guarded by this object's monitor (taken through {@link #locked}). */
    final class ChannelState {
        final Channel channel;
        final List<TopicPart> parts;
        final ChannelFanOut fanOut = new ChannelFanOut(this);
        private final ArrayDeque<Entry> history = new ArrayDeque<>();
        private final Map<TopicPart, Long> completeFrom = new HashMap<>();
        private long lastTouched = System.nanoTime();
        private boolean removed;

        private ChannelState(Channel channel, List<TopicPart> parts) {
            this.channel = channel;
            this.parts = parts;
            for (TopicPart part : parts) {
                completeFrom.put(part, positions.completeFrom(part));
            }
        }

        void touched() {
            lastTouched = System.nanoTime();
        }

        Position position() {
            return positions.position(parts);
        }

        /** Remembers the event; false if it arrived on a partition that does not feed this channel (not remembered). */
        boolean append(TopicPart part, long offset, List<CacheKey> keys) {
            if (!parts.contains(part)) {
                return false;
            }
            history.addLast(new Entry(part, offset, keys));
            while (history.size() > perChannel) {
                Entry dropped = history.removeFirst();
                completeFrom.merge(dropped.part, dropped.offset + 1, Math::max);
            }
            return true;
        }

        /** The keys missed since {@code since} (coalesced), or a reset when the history does not reach back. */
        Resume resume(Position since) {
            Position current = position();
            if (since == null) {
                return new Resume(current, List.of(), false);
            }
            if (!since.offsets().keySet().equals(new HashSet<>(parts))) {
                return new Resume(current, channel.allKeys(), true);
            }
            Map<TopicPart, Long> cursor = new HashMap<>();
            for (TopicPart part : parts) {
                long asked = since.offset(part);
                long now = current.offset(part);
                if (asked < completeFrom.get(part) || (asked > now && caughtUp.getAsBoolean())) {
                    return new Resume(current, channel.allKeys(), true);
                }
                cursor.put(part, Math.max(asked, now));
            }
            List<CacheKey> missed = new ArrayList<>();
            for (Entry entry : history) {
                if (entry.offset >= since.offset(entry.part)) {
                    missed.addAll(entry.keys);
                }
            }
            return new Resume(new Position(cursor), KeySets.cover(missed, channel.allKeys()), false);
        }
    }

    private final ConcurrentHashMap<Channel, ChannelState> channels = new ConcurrentHashMap<>();
    private final ReadPositions positions;
    private final BooleanSupplier caughtUp;
    private final int perChannel;
    private final int maxChannels;

    /**
     * @param caughtUp whether the history is rebuilt: only then is a position ahead of this replica a reset (before,
     *                 it was probably taken on a replica that has read further)
     */
    ChannelHistory(ReadPositions positions, BooleanSupplier caughtUp, int perChannel, int maxChannels) {
        this.positions = positions;
        this.caughtUp = caughtUp;
        this.perChannel = perChannel;
        this.maxChannels = maxChannels;
    }

    /** Runs {@code action} under the channel's lock, creating the channel if needed (again if it is evicted meanwhile). */
    <T> T locked(Channel channel, Function<ChannelState, T> action) {
        while (true) {
            ChannelState state = state(channel);
            synchronized (state) {
                if (!state.removed) {
                    return action.apply(state);
                }
            }
        }
    }

    /** Runs {@code action} under the channel's lock if the channel is known; never creates it. */
    void ifPresent(Channel channel, Consumer<ChannelState> action) {
        ChannelState state = channels.get(channel);
        if (state != null) {
            synchronized (state) {
                action.accept(state);
            }
        }
    }

    int size() {
        return channels.size();
    }

    private ChannelState state(Channel channel) {
        if (!positions.assigned()) {
            throw new NotReadyException();
        }
        return channels.computeIfAbsent(channel, c -> new ChannelState(c, positions.partsOf(c)));
    }

    /** Drops the least recently changed unsubscribed channels down to 90 % of the limit, once over it. */
    void evictIfOverLimit() {
        if (channels.size() <= maxChannels) {
            return;
        }
        List<ChannelState> candidates = new ArrayList<>(channels.values());
        candidates.sort(Comparator.comparingLong(s -> s.lastTouched));
        int target = maxChannels - maxChannels / 10;
        for (ChannelState state : candidates) {
            if (channels.size() <= target) {
                break;
            }
            synchronized (state) {
                if (!state.fanOut.isEmpty()) {
                    continue;
                }
                state.removed = true;
                positions.evicted(state.parts);
                channels.remove(state.channel, state);
            }
        }
    }
}
