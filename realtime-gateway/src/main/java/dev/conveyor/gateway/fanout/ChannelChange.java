package dev.conveyor.gateway.fanout;

import dev.conveyor.gateway.domain.CacheKey;
import dev.conveyor.gateway.domain.Channel;
import dev.conveyor.gateway.domain.Position;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * One event as every subscriber of its channel sees it. Created once per event; the rendered frame is memoised so
 * that fanning one event out to many connections serialises it once.
 */
public final class ChannelChange {
    private final Channel channel;
    private final List<CacheKey> keys;
    private final Position position;
    private final Instant occurredAt;
    private volatile Object frame;
    /** The frame of the latest run of changes that ended with this one ({@link #coalescedFrame}). */
    private volatile Run run;

    private record Run(ChannelChange first, int count, Object frame) {}

    public ChannelChange(Channel channel, List<CacheKey> keys, Position position, Instant occurredAt) {
        this.channel = channel;
        this.keys = keys;
        this.position = position;
        this.occurredAt = occurredAt;
    }

    public Channel channel() {
        return channel;
    }

    public List<CacheKey> keys() {
        return keys;
    }

    public Position position() {
        return position;
    }

    public Instant occurredAt() {
        return occurredAt;
    }

    /**
     * The frame for this change alone, rendered (and encoded) by the first caller; every caller passes the same kind
     * of renderer and gets the same instance. Loops racing on the first call may both render; one result wins.
     */
    @SuppressWarnings("unchecked")
    public <T> T frame(Supplier<T> render) {
        Object rendered = frame;
        if (rendered == null) {
            Object mine = render.get();
            rendered = FRAME.compareAndSet(this, null, mine) ? mine : frame;
        }
        return (T) rendered;
    }

    /**
     * The coalesced frame of a run of {@code count} changes of this channel that began with {@code first} and ended
     * with this one. Every connection of a channel receives its changes in the same order, so the connections that
     * collected the same run (all of them, as a rule: they flush on the same window) hold the same keys and write the
     * same frame: the first renders it, the others reuse it. Only the latest run is kept; a connection whose run
     * differs (it subscribed later, or waited for a full socket) renders its own.
     */
    @SuppressWarnings("unchecked")
    public <T> T coalescedFrame(ChannelChange first, int count, Supplier<T> render) {
        Run latest = run;
        if (latest != null && latest.first == first && latest.count == count) {
            return (T) latest.frame;
        }
        T mine = render.get();
        run = new Run(first, count, mine);
        return mine;
    }

    private static final VarHandle FRAME;

    static {
        try {
            FRAME = MethodHandles.lookup().findVarHandle(ChannelChange.class, "frame", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
