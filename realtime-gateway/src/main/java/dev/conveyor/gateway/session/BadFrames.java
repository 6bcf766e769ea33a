package dev.conveyor.gateway.session;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A connection's error-answered frames: unreadable frames and refusals alike ({@code forbidden},
 * {@code too_many_subscriptions}, ...) are answered with an error frame and counted, so a client cannot make the
 * gateway answer refusals forever. More than {@code max-bad-frames} close the connection with 4400.
 */
final class BadFrames {
    private final OutboundWriter writer;
    private final int max;
    private final Runnable tooMany;
    private final AtomicInteger count = new AtomicInteger();

    /** @param tooMany closes the connection (4400) */
    BadFrames(OutboundWriter writer, int max, Runnable tooMany) {
        this.writer = writer;
        this.max = max;
        this.tooMany = tooMany;
    }

    /** Answers the refused frame with an error frame ({@code channel} may be null), or closes past the limit. */
    void refuse(String code, String message, String channel) {
        if (count.incrementAndGet() > max) {
            tooMany.run();
        } else {
            writer.send("error", Frames.error(code, message, channel));
        }
    }
}
