package dev.conveyor.gateway.session;

import dev.conveyor.gateway.socket.Loop;
import dev.conveyor.gateway.socket.Outbound;
import dev.conveyor.gateway.socket.TextFrame;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A session's outbound side: every frame it writes, with the bounds on what is in flight (frames and bytes written but
 * not yet accepted by the socket) and the slow-consumer rule. Invalidations wait (and coalesce in the session) while
 * the queue is full; replies cannot wait, so they may overrun the bounds up to twice: a frame beyond that is not
 * queued and the connection is closed with 4408 (a client that keeps sending but does not read). A queue that stays
 * full for the slow-consumer timeout is closed by the session's sweep ({@link #slow}).
 *
 * <p>The full/drained state is guarded by the session's monitor ({@code lock}), not by one of its own: the session
 * checks "full" and keeps its pending keys under that monitor, and the drain must see both at once, or a flush that
 * found the queue full could miss the drain that follows it.
 */
final class OutboundWriter {
    private final Outbound out;
    private final Loop loop;
    private final SessionLimits limits;
    private final SessionHost host;
    private final Object lock;
    private final Runnable drained;
    private final Runnable overrunClose;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong inFlightBytes = new AtomicLong();
    private volatile long fullSinceNanos;
    /** Replies overran twice the outbound bounds: nothing more is queued, the close (4408) is on its way. */
    private volatile boolean overrun;

    /**
     * @param drained      runs under {@code lock} when a full queue has room again (the session flushes what waited)
     * @param overrunClose closes the connection with 4408; run on the loop (the sender may hold the session's lock,
     *                     and closing detaches from the change log)
     */
    OutboundWriter(
            Outbound out,
            Loop loop,
            SessionLimits limits,
            SessionHost host,
            Object lock,
            Runnable drained,
            Runnable overrunClose) {
        this.out = out;
        this.loop = loop;
        this.limits = limits;
        this.host = host;
        this.lock = lock;
        this.drained = drained;
        this.overrunClose = overrunClose;
    }

    Outbound outbound() {
        return out;
    }

    void send(String type, String frame) {
        send(type, TextFrame.of(frame), null);
    }

    /** Writes {@code frame}; {@code occurredAt} (of the oldest event it covers, or null) feeds the fan-out latency. */
    void send(String type, TextFrame frame, Instant occurredAt) {
        if (overrun) {
            return;
        }
        int size = frame.size();
        int frames = inFlight.incrementAndGet();
        long bytes = inFlightBytes.addAndGet(size);
        if (frames > 2 * limits.outboundQueue() || bytes > 2 * limits.outboundBytes()) {
            inFlight.decrementAndGet();
            inFlightBytes.addAndGet(-size);
            overrun = true;
            loop.execute(overrunClose);
            return;
        }
        if (frames >= limits.outboundQueue() || bytes >= limits.outboundBytes()) {
            markFull();
        }
        host.frameSent(type);
        out.send(frame, () -> written(occurredAt, size), () -> written(null, size));
    }

    /** Caller may or may not hold the lock. */
    boolean full() {
        return inFlight.get() >= limits.outboundQueue() || inFlightBytes.get() >= limits.outboundBytes();
    }

    /** Starts the slow-consumer clock (if not running). */
    void markFull() {
        if (fullSinceNanos == 0) {
            synchronized (lock) {
                if (fullSinceNanos == 0) {
                    fullSinceNanos = System.nanoTime();
                }
            }
        }
    }

    /** True when the queue has been full for longer than the slow-consumer timeout. */
    boolean slow(long nowNanos) {
        long fullSince = fullSinceNanos;
        return fullSince != 0
                && nowNanos - fullSince > limits.slowConsumerTimeout().toNanos();
    }

    int inFlight() {
        return inFlight.get();
    }

    private void written(Instant occurredAt, int size) {
        if (occurredAt != null) {
            host.delivered(occurredAt);
        }
        inFlightBytes.addAndGet(-size);
        if (inFlight.decrementAndGet() < limits.outboundQueue() && fullSinceNanos != 0) {
            synchronized (lock) {
                if (fullSinceNanos != 0 && !full()) {
                    fullSinceNanos = 0;
                    drained.run();
                }
            }
        }
    }
}
