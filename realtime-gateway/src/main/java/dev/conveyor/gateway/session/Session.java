package dev.conveyor.gateway.session;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.Json;
import dev.conveyor.gateway.domain.Channel;
import dev.conveyor.gateway.domain.Position;
import dev.conveyor.gateway.socket.Loop;
import dev.conveyor.gateway.socket.Outbound;
import java.time.Instant;
import java.util.UUID;

/**
 * One WebSocket connection: its lifecycle (open, close, the sweep's checks: auth deadline, token expiry, idle, slow
 * consumer), authentication, and the client's frames read and answered. Its channels are its {@link Subscriptions}
 * (the connection's subscriber in the change log); refused frames are counted by its {@link BadFrames}; every frame
 * goes out through its {@link OutboundWriter} (bounds, slow consumer).
 *
 * <p>This object's monitor is the one lock of the connection's state: the closed flag here, the channels' states in
 * {@link Subscriptions}, the pending keys in its {@link Coalescer} and the full/drained state of the writer.
 */
public final class Session {

    private final String id;
    private final OutboundWriter writer;
    private final SessionHost host;
    private final BadFrames badFrames;
    private final Subscriptions subscriptions;

    private final long createdNanos = System.nanoTime();

    private volatile UUID user;
    private volatile Instant expiresAt;
    private volatile long lastInboundNanos = System.nanoTime();
    private volatile boolean closed;
    private boolean admitted;

    public Session(String id, Outbound out, Loop loop, SessionHost host) {
        this.id = id;
        this.host = host;
        SessionLimits limits = host.limits();
        this.writer = new OutboundWriter(
                out,
                loop,
                limits,
                host,
                this,
                this::drained,
                () -> close(CloseCodes.SLOW_CONSUMER, "slow consumer: outbound queue full"));
        this.badFrames =
                new BadFrames(writer, limits.maxBadFrames(), () -> close(CloseCodes.BAD_FRAMES, "too many bad frames"));
        this.subscriptions = new Subscriptions(this, loop, host, writer, badFrames);
    }

    public String id() {
        return id;
    }

    public UUID user() {
        return user;
    }

    Outbound outbound() {
        return writer.outbound();
    }

    boolean admitted() {
        return admitted;
    }

    boolean isClosed() {
        return closed;
    }

    public int subscriptionCount() {
        return subscriptions.count();
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
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        subscriptions.dropAll();
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
            badFrames.refuse("bad_frame", "frames are JSON objects with a string type", null);
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
            case "auth" -> badFrames.refuse("already_authenticated", "this connection is already authenticated", null);
            default -> badFrames.refuse("unknown_type", "unknown frame type: " + abbreviate(type), null);
        }
    }

    /** Binary frames are not part of the protocol. */
    public void onBinary() {
        inboundActivity();
        if (!closed) {
            badFrames.refuse("bad_frame", "binary frames are not supported: send JSON text frames", null);
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
        Channel channel = channelOf(frame, true);
        if (channel == null) {
            return;
        }
        JsonNode sinceField = frame.path("since");
        Position since = null;
        if (!sinceField.isMissingNode() && !sinceField.isNull()) {
            try {
                since = Position.parse(sinceField.isTextual() ? sinceField.asText() : null);
            } catch (IllegalArgumentException e) {
                badFrames.refuse(
                        "bad_position",
                        "since is a position string from a previous frame: " + e.getMessage(),
                        channel.toString());
                return;
            }
        }
        subscriptions.subscribe(channel, since);
    }

    private void unsubscribe(JsonNode frame) {
        Channel channel = channelOf(frame, false);
        if (channel != null) {
            subscriptions.unsubscribe(channel);
        }
    }

    /** The frame's channel, or null once the frame is refused ({@code echo}: the refusal names the bad channel). */
    private Channel channelOf(JsonNode frame, boolean echo) {
        JsonNode field = frame.path("channel");
        try {
            return Channel.parse(field.isTextual() ? field.asText() : null);
        } catch (IllegalArgumentException e) {
            badFrames.refuse(
                    "bad_channel", e.getMessage(), echo && field.isTextual() ? abbreviate(field.asText()) : null);
            return null;
        }
    }

    /** The outbound queue has room again (the writer holds this session's lock): what waited goes out. */
    private void drained() {
        subscriptions.drained();
    }

    private static String abbreviate(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }
}
