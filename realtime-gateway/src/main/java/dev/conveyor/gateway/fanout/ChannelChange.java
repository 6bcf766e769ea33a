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

    private static final VarHandle FRAME;

    static {
        try {
            FRAME = MethodHandles.lookup().findVarHandle(ChannelChange.class, "frame", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
