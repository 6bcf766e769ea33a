package dev.conveyor.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.Json;
import dev.conveyor.gateway.domain.CacheKey;
import dev.conveyor.gateway.domain.Channel;
import dev.conveyor.gateway.domain.Position;
import dev.conveyor.gateway.messaging.ChangeLog;
import dev.conveyor.gateway.messaging.ChannelChange;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One WebSocket connection's protocol: authentication, its subscriptions (subscribe, resume, unsubscribe,
 * revocation), the bad-frame count and the sweep's checks. Changes arrive on the connection's loop and are collected
 * by its {@link Coalescer}; every frame goes out through its {@link OutboundWriter} (bounds, slow consumer).
 *
 * <p>Why this file is over 300 lines: the subscription states (opening, open), the closed flag and the pending keys
 * share this object's monitor, and their races (a subscribe against a revocation, a close or an event's hand-off) are
 * checked in one place; splitting the inbound side across classes would spread that one lock over them.
 */
public final class Session implements ChangeLog.Subscriber {

    private enum State {
        OPENING,
        OPEN
    }

    private final String id;
    private final OutboundWriter writer;
    private final Loop loop;
    private final SessionHost host;
    private final SessionLimits limits;
    /** Coalescing window 0: a change is written as soon as it reaches the loop. */
    private final boolean immediate;

    private final long createdNanos = System.nanoTime();

    private final Map<Channel, State> channels = new HashMap<>();
    private final Coalescer coalescer;
    private volatile UUID user;
    private volatile Instant expiresAt;
    private volatile long lastInboundNanos = System.nanoTime();
    private volatile boolean closed;
    private boolean admitted;
    private int badFrames;

    public Session(String id, Outbound out, Loop loop, SessionHost host) {
        this.id = id;
        this.loop = loop;
        this.host = host;
        this.limits = host.limits();
        this.writer = new OutboundWriter(
                out,
                loop,
                limits,
                host,
                this,
                this::drained,
                () -> close(CloseCodes.SLOW_CONSUMER, "slow consumer: outbound queue full"));
        this.coalescer = new Coalescer(this, loop, limits, writer, channel -> channels.get(channel) == State.OPEN);
        this.immediate = limits.coalesceWindow().toMillis() <= 0;
    }

    public String id() {
        return id;
    }

    @Override
    public UUID user() {
        return user;
    }

    /** Changes are handed to the connection's loop, once per loop and event for all its connections. */
    @Override
    public Loop loop() {
        return loop;
    }

    Outbound outbound() {
        return writer.outbound();
    }

    boolean admitted() {
        return admitted;
    }

    public synchronized int subscriptionCount() {
        return channels.size();
    }

    // ---------------------------------------------------------------- lifecycle

    /** Called once the socket is open, with the access_token query parameter if there was one. */
    public void open(String queryToken) {
        if (queryToken != null) {
            authenticate(queryToken);
        }
    }

    public void inboundActivity() {
        lastInboundNanos = System.nanoTime();
    }

    /** Called when the socket closed, for whatever reason: drop every subscription. */
    public void closed() {
        List<Channel> subscribed;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            subscribed = List.copyOf(channels.keySet());
            channels.clear();
            coalescer.stop();
        }
        for (Channel channel : subscribed) {
            host.changeLog().detach(channel, this);
        }
        host.subscriptions(-subscribed.size());
    }

    public void close(int code, String reason) {
        closed();
        writer.outbound().close(code, reason);
    }

    /** Periodic check: auth deadline, token expiry, idle timeout, slow consumer. */
    public void sweep(long nowNanos, long authTimeoutNanos, long idleTimeoutNanos) {
        if (closed) {
            return;
        }
        if (user == null) {
            if (nowNanos - createdNanos > authTimeoutNanos) {
                close(CloseCodes.UNAUTHORIZED, "no auth frame in time");
            }
            return;
        }
        if (expiresAt != null && Instant.now().isAfter(expiresAt)) {
            close(CloseCodes.UNAUTHORIZED, "token expired");
            return;
        }
        if (nowNanos - lastInboundNanos > idleTimeoutNanos) {
            close(CloseCodes.IDLE_TIMEOUT, "idle timeout");
            return;
        }
        if (writer.slow(nowNanos)) {
            close(CloseCodes.SLOW_CONSUMER, "slow consumer: outbound queue full");
        }
    }

    // ---------------------------------------------------------------- inbound frames

    public void onText(String text) {
        inboundActivity();
        if (closed) {
            return;
        }
        JsonNode frame;
        try {
            frame = Json.MAPPER.readTree(text);
        } catch (Exception e) {
            frame = null;
        }
        if (frame == null || !frame.isObject() || !frame.path("type").isTextual()) {
            badFrame("bad_frame", "frames are JSON objects with a string type", null);
            return;
        }
        String type = frame.get("type").asText();
        if (user == null) {
            if ("auth".equals(type) && frame.path("token").isTextual()) {
                authenticate(frame.get("token").asText());
            } else {
                close(CloseCodes.UNAUTHORIZED, "authenticate first: access_token query parameter or an auth frame");
            }
            return;
        }
        switch (type) {
            case "subscribe" -> subscribe(frame);
            case "unsubscribe" -> unsubscribe(frame);
            case "ping" ->
                writer.send(
                        "pong",
                        Frames.pong(
                                frame.path("id").isTextual() ? frame.get("id").asText() : null));
            case "auth" -> badFrame("already_authenticated", "this connection is already authenticated", null);
            default -> badFrame("unknown_type", "unknown frame type: " + abbreviate(type), null);
        }
    }

    /** Binary frames are not part of the protocol. */
    public void onBinary() {
        inboundActivity();
        if (!closed) {
            badFrame("bad_frame", "binary frames are not supported: send JSON text frames", null);
        }
    }

    /**
     * Answers a refused frame with an error frame and counts it: unreadable frames and refusals alike ({@code forbidden},
     * {@code too_many_subscriptions}, ...), so a client cannot make the gateway answer refusals forever. More than
     * {@code max-bad-frames} close the connection with 4400.
     */
    private void badFrame(String code, String message, String channel) {
        int count;
        synchronized (this) {
            count = ++badFrames;
        }
        if (count > limits.maxBadFrames()) {
            close(CloseCodes.BAD_FRAMES, "too many bad frames");
        } else {
            writer.send("error", Frames.error(code, message, channel));
        }
    }

    private void authenticate(String token) {
        SessionHost.Identity identity;
        try {
            identity = host.authenticate(token);
        } catch (SessionHost.AuthException e) {
            close(e.forbidden ? CloseCodes.FORBIDDEN : CloseCodes.UNAUTHORIZED, e.getMessage());
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            admitted = host.admit(this, identity.user());
        }
        if (!admitted) {
            close(CloseCodes.TOO_MANY_CONNECTIONS, "too many connections for this user");
            return;
        }
        expiresAt = identity.expiresAt();
        user = identity.user();
        writer.send("welcome", Frames.welcome(identity.user()));
    }

    private void subscribe(JsonNode frame) {
        JsonNode channelField = frame.path("channel");
        Channel channel;
        try {
            channel = Channel.parse(channelField.isTextual() ? channelField.asText() : null);
        } catch (IllegalArgumentException e) {
            badFrame(
                    "bad_channel", e.getMessage(), channelField.isTextual() ? abbreviate(channelField.asText()) : null);
            return;
        }
        JsonNode sinceField = frame.path("since");
        Position since = null;
        if (!sinceField.isMissingNode() && !sinceField.isNull()) {
            try {
                since = Position.parse(sinceField.isTextual() ? sinceField.asText() : null);
            } catch (IllegalArgumentException e) {
                badFrame(
                        "bad_position",
                        "since is a position string from a previous frame: " + e.getMessage(),
                        channel.toString());
                return;
            }
        }
        boolean resubscribe;
        boolean full;
        synchronized (this) {
            // a repeated subscribe is a resume: start over from the given position
            resubscribe = channels.remove(channel) != null;
            coalescer.drop(channel);
            full = channels.size() >= limits.maxSubscriptions();
        }
        if (resubscribe) {
            host.changeLog().detach(channel, this);
            host.subscriptions(-1);
        }
        if (full) {
            badFrame(
                    "too_many_subscriptions",
                    "at most " + limits.maxSubscriptions() + " channels per connection",
                    channel.toString());
            return;
        }
        Position resumeFrom = since;
        if (channel.kind() == Channel.Kind.USER) {
            if (channel.id().equals(user)) {
                attach(channel, resumeFrom);
            } else {
                badFrame("forbidden", "only your own user channel", channel.toString());
            }
            return;
        }
        awaitOwner(
                channel, resumeFrom, System.nanoTime() + limits.ownershipWait().toNanos());
    }

    private void awaitOwner(Channel channel, Position since, long deadline) {
        if (closed) {
            return;
        }
        var owner = host.changeLog().owner(channel.id());
        if (owner.isPresent() && owner.get().equals(user)) {
            attach(channel, since);
        } else if (owner.isEmpty() && System.nanoTime() < deadline) {
            // a project created a moment ago may not have reached this replica yet
            loop.schedule(50, () -> awaitOwner(channel, since, deadline));
        } else {
            badFrame("forbidden", "not your project (or no such project)", channel.toString());
        }
    }

    private void attach(Channel channel, Position since) {
        synchronized (this) {
            if (closed || channels.containsKey(channel)) {
                return;
            }
            channels.put(channel, State.OPENING);
        }
        ChangeLog.Resume resume;
        try {
            resume = host.changeLog().attach(channel, since, this);
        } catch (ChangeLog.NotReadyException e) {
            synchronized (this) {
                channels.remove(channel);
            }
            writer.send("error", Frames.error("unavailable", e.getMessage(), channel.toString()));
            return;
        }
        host.subscriptions(1);
        boolean abandoned;
        synchronized (this) {
            abandoned = closed || channels.get(channel) != State.OPENING;
        }
        if (abandoned) {
            host.changeLog().detach(channel, this);
            host.subscriptions(-1);
            return;
        }
        synchronized (this) {
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

    private void unsubscribe(JsonNode frame) {
        JsonNode channelField = frame.path("channel");
        Channel channel;
        try {
            channel = Channel.parse(channelField.isTextual() ? channelField.asText() : null);
        } catch (IllegalArgumentException e) {
            badFrame("bad_channel", e.getMessage(), null);
            return;
        }
        boolean was;
        synchronized (this) {
            was = channels.remove(channel) != null;
            coalescer.drop(channel);
        }
        if (was) {
            host.changeLog().detach(channel, this);
            host.subscriptions(-1);
        }
        writer.send("unsubscribed", Frames.unsubscribed(channel, was ? null : "not_subscribed"));
    }

    // ---------------------------------------------------------------- changes and coalescing

    @Override
    public void onChange(Channel channel, List<CacheKey> keys, Position position, Instant occurredAt) {
        onChange(new ChannelChange(channel, keys, position, occurredAt));
    }

    @Override
    public void onChange(ChannelChange change) {
        boolean flushNow = false;
        synchronized (this) {
            if (closed || !channels.containsKey(change.channel())) {
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
        boolean was;
        synchronized (this) {
            was = channels.remove(channel) != null;
            coalescer.drop(channel);
        }
        if (was) {
            host.subscriptions(-1);
            writer.send("unsubscribed", Frames.unsubscribed(channel, "forbidden"));
        }
    }

    /** The outbound queue has room again (the writer holds this session's lock): what waited goes out. */
    private void drained() {
        coalescer.flushIfPending();
    }

    int inFlight() {
        return writer.inFlight();
    }

    private static String abbreviate(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }
}
