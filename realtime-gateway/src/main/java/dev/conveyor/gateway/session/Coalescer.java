package dev.conveyor.gateway.session;

import dev.conveyor.gateway.domain.Channel;
import dev.conveyor.gateway.fanout.ChannelChange;
import dev.conveyor.gateway.socket.Loop;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A session's changes per channel on their way out, and when they go: leading edge (a change after a quiet window goes
 * out at once; what arrives within the window after a frame waits for the rest of it and goes out as one frame), and
 * nothing while the outbound queue is full (keys keep coalescing until it drains). Guarded by the session's monitor
 * ({@code lock}): whether a channel is open to frames lives in the session under the same monitor.
 */
final class Coalescer {
    private final Object lock;
    private final Loop loop;
    private final SessionLimits limits;
    private final OutboundWriter writer;
    /** True for a channel whose subscribed frame went out (false while opening, closed, or not subscribed). */
    private final Predicate<Channel> open;

    private final Map<Channel, PendingChange> pending = new LinkedHashMap<>();
    private boolean flushScheduled;
    /** When the last coalesced frame went out (System.nanoTime). */
    private long lastFlushNanos;

    private boolean flushedBefore;
    private boolean stopped;

    Coalescer(Object lock, Loop loop, SessionLimits limits, OutboundWriter writer, Predicate<Channel> open) {
        this.lock = lock;
        this.loop = loop;
        this.limits = limits;
        this.writer = writer;
        this.open = open;
    }

    /** Caller holds the lock. */
    void add(ChannelChange change) {
        pending.computeIfAbsent(change.channel(), c -> new PendingChange()).add(change, limits.maxPendingKeys());
    }

    /** Caller holds the lock. */
    boolean has(Channel channel) {
        return pending.containsKey(channel);
    }

    /** Caller holds the lock. */
    void drop(Channel channel) {
        pending.remove(channel);
    }

    /** The connection is gone: nothing pending goes out any more. Caller holds the lock. */
    void stop() {
        stopped = true;
        pending.clear();
    }

    /** The outbound queue has room again (caller holds the lock): what waited goes out. */
    void flushIfPending() {
        if (!pending.isEmpty()) {
            schedule();
        }
    }

    /** Caller holds the lock. At most one frame per channel per window, and a lone change never waits for the window. */
    void schedule() {
        if (flushScheduled) {
            return;
        }
        flushScheduled = true;
        long window = limits.coalesceWindow().toNanos();
        long wait = window <= 0 || !flushedBefore ? 0 : window - (System.nanoTime() - lastFlushNanos);
        if (wait <= 0) {
            loop.execute(this::flush);
        } else {
            loop.schedule(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)), this::flush);
        }
    }

    private record Ready(Channel channel, PendingChange pending) {}

    /** Runs on the loop. Takes what is pending under the lock; renders and writes outside it (writes are syscalls). */
    void flush() {
        List<Ready> ready = new ArrayList<>(2);
        synchronized (lock) {
            flushScheduled = false;
            if (stopped) {
                return;
            }
            if (writer.full()) {
                writer.markFull();
                return; // keys keep coalescing in pending until the socket drains
            }
            var it = pending.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Channel, PendingChange> entry = it.next();
                if (!open.test(entry.getKey())) {
                    continue;
                }
                it.remove();
                ready.add(new Ready(entry.getKey(), entry.getValue()));
            }
            if (!ready.isEmpty()) {
                lastFlushNanos = System.nanoTime();
                flushedBefore = true;
            }
        }
        for (Ready r : ready) {
            r.pending().writeTo(writer, r.channel());
        }
    }
}
