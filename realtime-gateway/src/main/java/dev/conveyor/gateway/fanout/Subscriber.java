package dev.conveyor.gateway.fanout;

import dev.conveyor.gateway.domain.CacheKey;
import dev.conveyor.gateway.domain.Channel;
import dev.conveyor.gateway.domain.Position;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executor;

/**
 * Someone who hears a channel's changes. {@link #onChange} and {@link #onRevoked} run on the subscriber's
 * {@link #loop()}: the consumer thread hands each event once to each loop that has subscribers of the channel, and that
 * loop calls every one of its subscribers in turn (in event order); a revocation is handed to the loop the same way.
 * Without a loop they are called on the consumer thread: be quick.
 */
public interface Subscriber {
    UUID user();

    /**
     * Where this subscriber's changes are delivered; subscribers returning the same executor share one hand-off per
     * event. The executor must run tasks in submission order. Null: on the consumer thread.
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
