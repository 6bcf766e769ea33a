package dev.conveyor.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The gateway's settings ({@code gateway.*}); see docs/services/realtime-gateway.md. */
@ConfigMapping(prefix = "gateway")
public interface GatewayConfig {

    /** Keys arriving within this window go out as one frame per channel; 0 sends each change at once. */
    @WithDefault("20ms")
    Duration coalesceWindow();

    History history();

    Connection connection();

    /** Readiness fails when the Kafka consumer made no progress for this long while behind (or stopped polling). */
    @WithDefault("30s")
    Duration stuckAfter();

    interface History {
        /** How far back (by record timestamp) the history is rebuilt from Kafka on start. */
        @WithDefault("15m")
        Duration lookback();

        /** Events remembered per channel. */
        @WithDefault("256")
        int perChannel();

        /** Channels remembered (least recently changed unsubscribed ones are dropped beyond it). */
        @WithDefault("10000")
        int maxChannels();
    }

    interface Connection {
        /** Frames written but not yet taken by the socket before the connection counts as full. */
        @WithDefault("256")
        int outboundQueue();

        /** Bytes written but not yet taken by the socket before the connection counts as full. */
        @WithDefault("1048576")
        long outboundBytes();

        /** Coalesced keys kept per channel while the connection is full; beyond it the channel gets a reset. */
        @WithDefault("64")
        int maxPendingKeys();

        /** How long the outbound queue may stay full before the connection is closed with 4408. */
        @WithDefault("10s")
        Duration slowConsumerTimeout();

        @WithDefault("16")
        int maxPerUser();

        @WithDefault("50")
        int maxSubscriptions();

        /** Refused or unreadable frames answered with an error frame before the connection is closed with 4400. */
        @WithDefault("20")
        int maxBadFrames();

        /** No frame at all (pongs count) for this long closes the connection with 4000. */
        @WithDefault("60s")
        Duration idleTimeout();

        /** A connection without access_token must send its auth frame within this time (else 4401). */
        @WithDefault("10s")
        Duration authTimeout();

        /** How long a subscribe to a project not yet seen on the projects topic waits for it. */
        @WithDefault("2s")
        Duration ownershipWait();
    }
}
