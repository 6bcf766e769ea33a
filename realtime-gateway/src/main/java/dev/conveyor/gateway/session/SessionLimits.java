package dev.conveyor.gateway.session;

import java.time.Duration;

/**
 * Per-connection settings (gateway.* in application.properties).
 *
 * @param coalesceWindow   keys arriving within this window go out as one frame; zero sends at once
 * @param outboundQueue    frames written but not yet accepted by the socket before the connection counts as full
 * @param outboundBytes    bytes written but not yet accepted by the socket before the connection counts as full
 * @param maxPendingKeys   coalesced keys per channel kept while full; beyond it the channel gets a reset instead
 * @param slowConsumerTimeout how long the queue may stay full before the connection is closed (4408)
 * @param maxSubscriptions channels per connection
 * @param maxBadFrames     unreadable frames tolerated (each answered with an error frame) before closing (4400)
 * @param ownershipWait    how long a subscribe to a project not yet seen on the projects topic waits for it
 */
public record SessionLimits(
        Duration coalesceWindow,
        int outboundQueue,
        long outboundBytes,
        int maxPendingKeys,
        Duration slowConsumerTimeout,
        int maxSubscriptions,
        int maxBadFrames,
        Duration ownershipWait) {

    /** The default of {@code gateway.connection.outbound-bytes}: 1 MiB. */
    public static final long DEFAULT_OUTBOUND_BYTES = 1 << 20;

    /** With the default byte bound. */
    public SessionLimits(
            Duration coalesceWindow,
            int outboundQueue,
            int maxPendingKeys,
            Duration slowConsumerTimeout,
            int maxSubscriptions,
            int maxBadFrames,
            Duration ownershipWait) {
        this(
                coalesceWindow,
                outboundQueue,
                DEFAULT_OUTBOUND_BYTES,
                maxPendingKeys,
                slowConsumerTimeout,
                maxSubscriptions,
                maxBadFrames,
                ownershipWait);
    }
}
