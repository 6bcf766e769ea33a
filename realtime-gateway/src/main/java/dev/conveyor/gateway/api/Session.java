package dev.conveyor.gateway.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.Json;
import dev.conveyor.gateway.domain.CacheKey;
import dev.conveyor.gateway.domain.Channel;
import dev.conveyor.gateway.domain.KeySets;
import dev.conveyor.gateway.domain.Position;
import dev.conveyor.gateway.messaging.ChangeLog;
import dev.conveyor.gateway.messaging.ChannelChange;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * One WebSocket connection: authentication, its subscriptions, per-channel coalescing of keys and a bounded
 * outbound queue. Changes arrive on the Kafka consumer thread; frames are written on the connection's loop.
 */
public final class Session implements ChangeLog.Subscriber {

    private static final class Pending {
        final Set<CacheKey> keys = new LinkedHashSet<>();
        Position position;
        Instant oldest;
        boolean reset;
        /** The one change collected so far (its frame is shared with other connections), null after a second. */
        ChannelChange single;
        int changes;
    }

    private enum State { OPENING, OPEN }

    private final String id;
    private final Outbound out;
    private final Loop loop;
    private final SessionHost host;
    private final SessionLimits limits;
    /** Coalescing window 0: a change is written as soon as it reaches the loop. */
    private final boolean immediate;
    private final long createdNanos = System.nanoTime();

    private final Map<Channel, State> channels = new HashMap<>();
    private final Map<Channel, Pending> pending = new LinkedHashMap<>();
    private volatile UUID user;
    private volatile Instant expiresAt;
    private volatile long lastInboundNanos = System.nanoTime();
    private volatile boolean closed;
    private boolean admitted;
    private boolean flushScheduled;
    /** When the last coalesced frame went out (System.nanoTime); guarded by this. */
    private long lastFlushNanos;
    private boolean flushedBefore;
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong inFlightBytes = new java.util.concurrent.atomic.AtomicLong();
    private volatile long fullSinceNanos;
    /** Replies overran twice the outbound bounds: nothing more is queued, the close (4408) is on its way. */
    private volatile boolean overrun;
    private int badFrames;

    public Session(String id, Outbound out, Loop loop, SessionHost host) {
        this.id = id;
        this.out = out;
        this.loop = loop;
        this.host = host;
        this.limits = host.limits();
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
        return out;
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
            pending.clear();
        }
        for (Channel channel : subscribed) {
            host.changeLog().detach(channel, this);
        }
        host.subscriptions(-subscribed.size());
    }

    public void close(int code, String reason) {
        closed();
        out.close(code, reason);
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
        long fullSince = fullSinceNanos;
        boolean slow = fullSince != 0 && nowNanos - fullSince > limits.slowConsumerTimeout().toNanos();
        if (slow) {
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
            case "ping" -> send("pong", Frames.pong(frame.path("id").isTextual() ? frame.get("id").asText() : null));
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
            send("error", Frames.error(code, message, channel));
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
        send("welcome", Frames.welcome(identity.user()));
    }

    private void subscribe(JsonNode frame) {
        JsonNode channelField = frame.path("channel");
        Channel channel;
        try {
            channel = Channel.parse(channelField.isTextual() ? channelField.asText() : null);
        } catch (IllegalArgumentException e) {
            badFrame("bad_channel", e.getMessage(), channelField.isTextual() ? abbreviate(channelField.asText()) : null);
            return;
        }
        JsonNode sinceField = frame.path("since");
        Position since = null;
        if (!sinceField.isMissingNode() && !sinceField.isNull()) {
            try {
                since = Position.parse(sinceField.isTextual() ? sinceField.asText() : null);
            } catch (IllegalArgumentException e) {
                badFrame("bad_position", "since is a position string from a previous frame: " + e.getMessage(), channel.toString());
                return;
            }
        }
        boolean resubscribe;
        boolean full;
        synchronized (this) {
            // a repeated subscribe is a resume: start over from the given position
            resubscribe = channels.remove(channel) != null;
            pending.remove(channel);
            full = channels.size() >= limits.maxSubscriptions();
        }
        if (resubscribe) {
            host.changeLog().detach(channel, this);
            host.subscriptions(-1);
        }
        if (full) {
            badFrame("too_many_subscriptions", "at most " + limits.maxSubscriptions() + " channels per connection",
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
        awaitOwner(channel, resumeFrom, System.nanoTime() + limits.ownershipWait().toNanos());
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
            send("error", Frames.error("unavailable", e.getMessage(), channel.toString()));
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
                send("reset", Frames.reset(channel, resume.position()));
                send("subscribed", Frames.subscribed(channel, resume.position(), false));
            } else if (since != null) {
                send("subscribed", Frames.subscribed(channel, resume.position(), true));
                if (!resume.keys().isEmpty()) {
                    send("invalidate", Frames.invalidate(channel, resume.keys(), resume.position()));
                }
            } else {
                send("subscribed", Frames.subscribed(channel, resume.position(), false));
            }
            channels.put(channel, State.OPEN);
            if (pending.containsKey(channel)) {
                scheduleFlush();
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
            pending.remove(channel);
        }
        if (was) {
            host.changeLog().detach(channel, this);
            host.subscriptions(-1);
        }
        send("unsubscribed", Frames.unsubscribed(channel, was ? null : "not_subscribed"));
    }

    // ---------------------------------------------------------------- changes and coalescing

    @Override
    public void onChange(Channel channel, List<CacheKey> keys, Position position, Instant occurredAt) {
        onChange(new ChannelChange(channel, keys, position, occurredAt));
    }

    @Override
    public void onChange(ChannelChange change) {
        Channel channel = change.channel();
        List<CacheKey> keys = change.keys();
        Position position = change.position();
        Instant occurredAt = change.occurredAt();
        boolean flushNow = false;
        synchronized (this) {
            if (closed || !channels.containsKey(channel)) {
                return;
            }
            Pending p = pending.computeIfAbsent(channel, c -> new Pending());
            if (!p.reset) {
                p.keys.addAll(keys);
                if (p.keys.size() > limits.maxPendingKeys()) {
                    // many keys under one covering key (a burst of tasks) fold into it; reset only if that is not enough
                    List<CacheKey> folded = KeySets.cover(p.keys, channel.allKeys());
                    p.keys.clear();
                    if (folded.size() > limits.maxPendingKeys()) {
                        p.reset = true;
                    } else {
                        p.keys.addAll(folded);
                    }
                }
            }
            p.position = position;
            p.single = ++p.changes == 1 ? change : null;
            if (p.oldest == null || occurredAt.isBefore(p.oldest)) {
                p.oldest = occurredAt;
            }
            if (channels.get(channel) == State.OPEN) {
                // on the loop with no window: write now rather than queue one more task per connection
                if (immediate && loop.inLoop()) {
                    flushNow = true;
                } else {
                    scheduleFlush();
                }
            }
        }
        if (flushNow) {
            flush();
        }
    }

    @Override
    public void onRevoked(Channel channel) {
        boolean was;
        synchronized (this) {
            was = channels.remove(channel) != null;
            pending.remove(channel);
        }
        if (was) {
            host.subscriptions(-1);
            send("unsubscribed", Frames.unsubscribed(channel, "forbidden"));
        }
    }

    /** Caller holds the lock. */
    private void scheduleFlush() {
        if (flushScheduled) {
            return;
        }
        flushScheduled = true;
        // Leading edge: a change after a quiet window goes out at once; what arrives within the window after a frame
        // waits for the rest of it and goes out as one frame. At most one frame per channel per window, and a lone
        // change never waits for the window.
        long window = limits.coalesceWindow().toNanos();
        long wait = window <= 0 || !flushedBefore ? 0 : window - (System.nanoTime() - lastFlushNanos);
        if (wait <= 0) {
            loop.execute(this::flush);
        } else {
            loop.schedule(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)), this::flush);
        }
    }

    private record Ready(String type, Channel channel, Pending pending) {
    }

    /** Runs on the loop. Takes what is pending under the lock; renders and writes outside it (writes are syscalls). */
    private void flush() {
        List<Ready> ready = new java.util.ArrayList<>(2);
        synchronized (this) {
            flushScheduled = false;
            if (closed) {
                return;
            }
            if (full()) {
                markFull();
                return; // keys keep coalescing in pending until the socket drains
            }
            var it = pending.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<Channel, Pending> entry = it.next();
                if (channels.get(entry.getKey()) != State.OPEN) {
                    continue;
                }
                it.remove();
                ready.add(new Ready(entry.getValue().reset ? "reset" : "invalidate", entry.getKey(), entry.getValue()));
            }
            if (!ready.isEmpty()) {
                lastFlushNanos = System.nanoTime();
                flushedBefore = true;
            }
        }
        for (Ready r : ready) {
            Pending p = r.pending();
            if (p.reset) {
                send("reset", TextFrame.of(Frames.reset(r.channel(), p.position)), null);
            } else if (p.single != null) {
                ChannelChange single = p.single;
                TextFrame shared = single.frame(() -> TextFrame.of(Frames.invalidate(single.channel(),
                        KeySets.cover(single.keys(), single.channel().allKeys()), single.position())));
                send("invalidate", shared, p.oldest);
            } else {
                send("invalidate", TextFrame.of(Frames.invalidate(r.channel(), KeySets.cover(p.keys, r.channel().allKeys()), p.position)), p.oldest);
            }
        }
    }

    private void send(String type, String frame) {
        send(type, TextFrame.of(frame), null);
    }

    /**
     * Every frame counts toward the outbound bounds, replies ({@code pong}, {@code error}, ...) as much as invalidations.
     * Invalidations wait (and coalesce) while the queue is full; replies cannot wait, so they may overrun the bounds up
     * to twice: a frame beyond that is not queued and the connection is closed with 4408 (a client that keeps sending
     * but does not read). A queue that stays full for the slow-consumer timeout is closed by {@link #sweep}.
     */
    private void send(String type, TextFrame frame, Instant occurredAt) {
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
            // not from here: the caller may hold this session's lock, and closing detaches from the change log
            loop.execute(() -> close(CloseCodes.SLOW_CONSUMER, "slow consumer: outbound queue full"));
            return;
        }
        if (frames >= limits.outboundQueue() || bytes >= limits.outboundBytes()) {
            markFull();
        }
        host.frameSent(type);
        out.send(frame, () -> written(occurredAt, size), () -> written(null, size));
    }

    /** Caller may or may not hold the lock. */
    private boolean full() {
        return inFlight.get() >= limits.outboundQueue() || inFlightBytes.get() >= limits.outboundBytes();
    }

    private void markFull() {
        if (fullSinceNanos == 0) {
            synchronized (this) {
                if (fullSinceNanos == 0) {
                    fullSinceNanos = System.nanoTime();
                }
            }
        }
    }

    private void written(Instant occurredAt, int size) {
        if (occurredAt != null) {
            host.delivered(occurredAt);
        }
        inFlightBytes.addAndGet(-size);
        if (inFlight.decrementAndGet() < limits.outboundQueue() && fullSinceNanos != 0) {
            synchronized (this) {
                if (fullSinceNanos != 0 && !full()) {
                    fullSinceNanos = 0;
                    if (!pending.isEmpty()) {
                        scheduleFlush();
                    }
                }
            }
        }
    }

    int inFlight() {
        return inFlight.get();
    }

    private static String abbreviate(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }
}
