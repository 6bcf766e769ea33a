package dev.conveyor.gateway.session;

/** WebSocket close codes of /v1/realtime (docs/realtime.md). */
public final class CloseCodes {
    /** No frame, not even a pong, within the idle timeout. */
    public static final int IDLE_TIMEOUT = 4000;
    /** Too many frames that could not be understood. */
    public static final int BAD_FRAMES = 4400;
    /** No token, an invalid or expired token, or no auth frame in time. */
    public static final int UNAUTHORIZED = 4401;
    /** The token is valid but has no {@code user} role. */
    public static final int FORBIDDEN = 4403;
    /** The client did not read its frames: the bounded outbound queue stayed full. */
    public static final int SLOW_CONSUMER = 4408;
    /** The user already has the maximum number of connections. */
    public static final int TOO_MANY_CONNECTIONS = 4429;
    /** Standard "message too big": an inbound message over 64 KiB ({@code quarkus.websockets-next.server.max-message-size}). */
    public static final int MESSAGE_TOO_BIG = 1009;
    /** Standard "internal error": anything else that broke the connection. */
    public static final int INTERNAL_ERROR = 1011;
    /** Standard "service restart": this replica is shutting down, reconnect (to any replica) and resume. */
    public static final int SERVICE_RESTART = 1012;

    private CloseCodes() {}
}
