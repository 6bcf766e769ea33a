package dev.conveyor.gateway.api;

import dev.conveyor.gateway.session.CloseCodes;
import dev.conveyor.gateway.session.Session;
import dev.conveyor.gateway.session.Sessions;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnPongMessage;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.common.annotation.NonBlocking;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.jboss.logging.Logger;

/** {@code /v1/realtime}: the WebSocket of cache invalidations (protocol in docs/realtime.md). Thin: sessions do the work. */
@WebSocket(path = "/v1/realtime")
public class RealtimeEndpoint {
    private static final Logger LOG = Logger.getLogger(RealtimeEndpoint.class);
    private final Sessions sessions;

    public RealtimeEndpoint(Sessions sessions) {
        this.sessions = sessions;
    }

    @OnOpen
    @NonBlocking
    public void onOpen(WebSocketConnection connection) {
        sessions.opened(connection, queryParam(connection.handshakeRequest().query(), "access_token"));
    }

    @OnTextMessage
    @NonBlocking
    public void onText(String text, WebSocketConnection connection) {
        Session session = sessions.find(connection);
        if (session != null) {
            session.onText(text);
        }
    }

    @OnBinaryMessage
    @NonBlocking
    public void onBinary(Buffer data, WebSocketConnection connection) {
        Session session = sessions.find(connection);
        if (session != null) {
            session.onBinary();
        }
    }

    @OnPongMessage
    @NonBlocking
    public void onPong(Buffer data, WebSocketConnection connection) {
        Session session = sessions.find(connection);
        if (session != null) {
            session.inboundActivity();
        }
    }

    @OnClose
    @NonBlocking
    public void onClose(WebSocketConnection connection) {
        sessions.closedConnection(connection);
    }

    /**
     * An inbound message over the size limit reaches here as an error of the socket (Vert.x' frame aggregator, or
     * Netty's decoder for a single oversize frame): close with 1009 (message too big) rather than websockets-next's
     * default 1011, so a client can tell its own oversize frame from a server fault. Anything else: 1011, logged.
     */
    @OnError
    @NonBlocking
    public Uni<Void> onError(Throwable error, WebSocketConnection connection) {
        boolean tooBig = tooBig(error);
        if (!tooBig) {
            LOG.warnf("WebSocket %s failed: %s", connection.id(), error.toString());
        }
        return connection.isOpen()
                ? connection.close(
                        tooBig
                                ? new CloseReason(CloseCodes.MESSAGE_TOO_BIG, "message too big: at most 64 KiB")
                                : new CloseReason(CloseCodes.INTERNAL_ERROR, "internal error"))
                : Uni.createFrom().voidItem();
    }

    static boolean tooBig(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof io.netty.handler.codec.TooLongFrameException) {
                return true;
            }
            if (t instanceof io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException corrupted
                    && corrupted.closeStatus() != null
                    && corrupted.closeStatus().code() == CloseCodes.MESSAGE_TOO_BIG) {
                return true;
            }
            String message = t.getMessage();
            // Vert.x 4.5 WebSocketImplBase.FrameAggregator: "... to overflow max message size of 65536"
            if (t instanceof IllegalStateException && message != null && message.contains("max message size")) {
                return true;
            }
        }
        return false;
    }

    static String queryParam(String query, String name) {
        if (query == null || query.isEmpty()) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (name.equals(URLDecoder.decode(key, StandardCharsets.UTF_8))) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
