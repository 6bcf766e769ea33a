package dev.conveyor.gateway.api;

import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnPongMessage;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.common.annotation.NonBlocking;
import io.vertx.core.buffer.Buffer;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** {@code /v1/realtime}: the WebSocket of cache invalidations (protocol in docs/realtime.md). Thin: sessions do the work. */
@WebSocket(path = "/v1/realtime")
public class RealtimeEndpoint {
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
