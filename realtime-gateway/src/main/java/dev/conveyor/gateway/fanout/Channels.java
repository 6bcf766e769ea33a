package dev.conveyor.gateway.fanout;

import dev.conveyor.gateway.domain.CacheKey;
import dev.conveyor.gateway.domain.Channel;
import dev.conveyor.gateway.domain.Position;
import dev.conveyor.gateway.domain.Position.TopicPart;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * The replica's channels, as the change log uses them: each channel's history ({@link ChannelHistory}) and its
 * subscribers ({@link ChannelFanOut}) under the channel's one lock, so an event is remembered and handed out atomically
 * with respect to a subscribe or resume (none missed, none twice). Positions are made of {@link ReadPositions}' offsets.
 */
public final class Channels {
    private final ReadPositions positions;
    private final ChannelHistory history;

    /**
     * @param caughtUp whether the history is rebuilt: only then is a position ahead of this replica a reset
     * @param perChannel events remembered per channel
     * @param maxChannels channels remembered; beyond it the least recently changed unsubscribed ones are dropped
     */
    public Channels(ReadPositions positions, BooleanSupplier caughtUp, int perChannel, int maxChannels) {
        this.positions = positions;
        this.history = new ChannelHistory(positions, caughtUp, perChannel, maxChannels);
    }

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

    /** What changed on {@code channel} since {@code since}, without subscribing. */
    public Resume changes(Channel channel, Position since) {
        return history.locked(channel, state -> state.resume(since));
    }

    /**
     * The event at {@code part:offset} changed {@code keys} of {@code channel}: it is consumed, remembered and handed to
     * the channel's subscribers. False when {@code part} does not feed the channel (the event is not remembered).
     */
    public boolean record(Channel channel, List<CacheKey> keys, TopicPart part, long offset, Instant occurredAt) {
        return history.locked(channel, state -> {
            positions.consumed(part, offset);
            state.touched();
            boolean fed = state.append(part, offset, keys);
            if (!state.fanOut.isEmpty()) {
                state.fanOut.publish(new ChannelChange(channel, keys, state.position(), occurredAt), part, offset);
            }
            return fed;
        });
    }

    /** The project changed owner (null: deleted): every other subscriber of its channel loses it. */
    public void revokeAllBut(Channel channel, UUID newOwner) {
        history.ifPresent(channel, state -> state.fanOut.revokeAllBut(channel, newOwner));
    }

    /** Housekeeping between polls: drops idle channels once over the limit. */
    public void evictIfOverLimit() {
        history.evictIfOverLimit();
    }

    public int size() {
        return history.size();
    }
}
