package dev.conveyor.gateway.session;

import dev.conveyor.gateway.domain.CacheKey;
import dev.conveyor.gateway.domain.Channel;
import dev.conveyor.gateway.domain.Position;
import dev.conveyor.gateway.fanout.ChannelChange;
import dev.conveyor.gateway.fanout.NotReadyException;
import dev.conveyor.gateway.fanout.Resume;
import dev.conveyor.gateway.fanout.Subscriber;
import dev.conveyor.gateway.socket.Loop;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One connection's channels: subscribe (a repeated one is a resume), the ownership check, unsubscribe, revocation, and
 * the changes that reach it (collected by its {@link Coalescer}). This is the connection's {@link Subscriber} in the
 * change log; changes and revocations arrive on the connection's loop.
 *
 * <p>Its state (each channel opening or open), the session's closed flag and the pending keys share one monitor, the
 * {@link Session}'s, so the races of a subscribe against a revocation, a close or an event's hand-off are decided under
 * one lock.
 */
final class Subscriptions implements Subscriber {

    private enum State {
        OPENING,
        OPEN
    }

    private final Session session;
    private final Loop loop;
    private final SessionHost host;
    private final SessionLimits limits;
    private final OutboundWriter writer;
    private final BadFrames badFrames;
    private final Coalescer coalescer;
    /** Coalescing window 0: a change is written as soon as it reaches the loop. */
    private final boolean immediate;
    /** Guarded by the session's monitor. */
    private final Map<Channel, State> channels = new HashMap<>();

    Subscriptions(Session session, Loop loop, SessionHost host, OutboundWriter writer, BadFrames badFrames) {
        this.session = session;
        this.loop = loop;
        this.host = host;
        this.limits = host.limits();
        this.writer = writer;
        this.badFrames = badFrames;
        this.coalescer = new Coalescer(session, loop, limits, writer, channel -> channels.get(channel) == State.OPEN);
        this.immediate = limits.coalesceWindow().toMillis() <= 0;
    }

    @Override
    public UUID user() {
        return session.user();
    }

    /** Changes are handed to the connection's loop, once per loop and event for all its connections. */
    @Override
    public Loop loop() {
        return loop;
    }

    int count() {
        synchronized (session) {
            return channels.size();
        }
    }

    /** A subscribe frame (with {@code since}: a resume); a repeated subscribe starts over from the given position. */
    void subscribe(Channel channel, Position since) {
        boolean resubscribe;
        boolean full;
        synchronized (session) {
            resubscribe = channels.remove(channel) != null;
            coalescer.drop(channel);
            full = channels.size() >= limits.maxSubscriptions();
        }
        if (resubscribe) {
            host.changeLog().detach(channel, this);
            host.subscriptions(-1);
        }
        if (full) {
            badFrames.refuse(
                    "too_many_subscriptions",
                    "at most " + limits.maxSubscriptions() + " channels per connection",
                    channel.toString());
            return;
        }
        if (channel.kind() == Channel.Kind.USER) {
            if (channel.id().equals(user())) {
                attach(channel, since);
            } else {
                badFrames.refuse("forbidden", "only your own user channel", channel.toString());
            }
            return;
        }
        awaitOwner(channel, since, System.nanoTime() + limits.ownershipWait().toNanos());
    }

    private void awaitOwner(Channel channel, Position since, long deadline) {
        if (session.isClosed()) {
            return;
        }
        var owner = host.changeLog().owner(channel.id());
        if (owner.isPresent() && owner.get().equals(user())) {
            attach(channel, since);
        } else if (owner.isEmpty() && System.nanoTime() < deadline) {
            // a project created a moment ago may not have reached this replica yet
            loop.schedule(50, () -> awaitOwner(channel, since, deadline));
        } else {
            badFrames.refuse("forbidden", "not your project (or no such project)", channel.toString());
        }
    }

    private void attach(Channel channel, Position since) {
        synchronized (session) {
            if (session.isClosed() || channels.containsKey(channel)) {
                return;
            }
            channels.put(channel, State.OPENING);
        }
        Resume resume;
        try {
            resume = host.changeLog().attach(channel, since, this);
        } catch (NotReadyException e) {
            synchronized (session) {
                channels.remove(channel);
            }
            writer.send("error", Frames.error("unavailable", e.getMessage(), channel.toString()));
            return;
        }
        host.subscriptions(1);
        boolean abandoned;
        synchronized (session) {
            abandoned = session.isClosed() || channels.get(channel) != State.OPENING;
        }
        if (abandoned) {
            host.changeLog().detach(channel, this);
            host.subscriptions(-1);
            return;
        }
        synchronized (session) {
            if (channels.get(channel) != State.OPENING) {
                return;
            }
            if (resume.reset()) {
                writer.send("reset", Frames.reset(channel, resume.position()));
                writer.send("subscribed", Frames.subscribed(channel, resume.position(), false));
            } else if (since != null) {
                writer.send("subscribed", Frames.subscribed(channel, resume.position(), true));
                if (!resume.keys().isEmpty()) {
                    writer.send("invalidate", Frames.invalidate(channel, resume.keys(), resume.position()));
                }
            } else {
                writer.send("subscribed", Frames.subscribed(channel, resume.position(), false));
            }
            channels.put(channel, State.OPEN);
            if (coalescer.has(channel)) {
                coalescer.schedule();
            }
        }
    }

    /** An unsubscribe frame: answered with {@code unsubscribed} ({@code not_subscribed} if it was not). */
    void unsubscribe(Channel channel) {
        boolean was = forget(channel);
        if (was) {
            host.changeLog().detach(channel, this);
            host.subscriptions(-1);
        }
        writer.send("unsubscribed", Frames.unsubscribed(channel, was ? null : "not_subscribed"));
    }

    /** The socket closed: every subscription goes, nothing pending goes out any more. */
    void dropAll() {
        List<Channel> subscribed;
        synchronized (session) {
            subscribed = List.copyOf(channels.keySet());
            channels.clear();
            coalescer.stop();
        }
        for (Channel channel : subscribed) {
            host.changeLog().detach(channel, this);
        }
        host.subscriptions(-subscribed.size());
    }

    @Override
    public void onChange(Channel channel, List<CacheKey> keys, Position position, Instant occurredAt) {
        onChange(new ChannelChange(channel, keys, position, occurredAt));
    }

    @Override
    public void onChange(ChannelChange change) {
        boolean flushNow = false;
        synchronized (session) {
            if (session.isClosed() || !channels.containsKey(change.channel())) {
                return;
            }
            coalescer.add(change);
            if (channels.get(change.channel()) == State.OPEN) {
                // on the loop with no window: write now rather than queue one more task per connection
                if (immediate && loop.inLoop()) {
                    flushNow = true;
                } else {
                    coalescer.schedule();
                }
            }
        }
        if (flushNow) {
            coalescer.flush();
        }
    }

    @Override
    public void onRevoked(Channel channel) {
        if (forget(channel)) {
            host.subscriptions(-1);
            writer.send("unsubscribed", Frames.unsubscribed(channel, "forbidden"));
        }
    }

    /** The outbound queue has room again (the writer holds the session's lock): what waited goes out. */
    void drained() {
        coalescer.flushIfPending();
    }

    /** Drops the channel and its pending keys; true if it was subscribed (or opening). */
    private boolean forget(Channel channel) {
        synchronized (session) {
            boolean was = channels.remove(channel) != null;
            coalescer.drop(channel);
            return was;
        }
    }
}
