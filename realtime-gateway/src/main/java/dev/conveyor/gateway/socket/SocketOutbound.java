package dev.conveyor.gateway.socket;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import org.jboss.logging.Logger;

/**
 * The {@link Outbound} of a websockets-next connection: straight to its Vert.x socket when {@link DirectSocket} can
 * reach it (the pre-encoded bytes of a frame, shared by every subscriber of an event, go out as one final text frame,
 * with no Uni and no re-encoding per send), else through {@code WebSocketConnection.sendText}.
 */
public final class SocketOutbound {
    private static final Logger LOG = Logger.getLogger(SocketOutbound.class);

    private SocketOutbound() {}

    public static Outbound of(WebSocketConnection connection) {
        ServerWebSocket socket = DirectSocket.of(connection);
        return socket == null ? new ConnectionOutbound(connection) : new Direct(connection, socket);
    }

    /** True for an outbound that writes straight to the Vert.x socket. */
    public static boolean isDirect(Outbound outbound) {
        return outbound instanceof Direct;
    }

    /** Through websockets-next: one Uni and one UTF-8 encoding per send. The fallback if the socket is not reachable. */
    private record ConnectionOutbound(WebSocketConnection connection) implements Outbound {
        @Override
        public void send(String frame, Runnable written, Runnable failed) {
            connection.sendText(frame).subscribe().with(ok -> written.run(), error -> failed.run());
        }

        @Override
        public void close(int code, String reason) {
            closeConnection(connection, code, reason);
        }
    }

    private record Direct(WebSocketConnection connection, ServerWebSocket socket) implements Outbound {
        @Override
        public void send(String frame, Runnable written, Runnable failed) {
            send(TextFrame.of(frame), written, failed);
        }

        @Override
        public void send(TextFrame frame, Runnable written, Runnable failed) {
            socket.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, frame.payload(), true), result -> {
                if (result.succeeded()) {
                    written.run();
                } else {
                    failed.run();
                }
            });
        }

        @Override
        public void close(int code, String reason) {
            closeConnection(connection, code, reason);
        }
    }

    private static void closeConnection(WebSocketConnection connection, int code, String reason) {
        Uni<Void> closing = connection.isOpen()
                ? connection.close(new CloseReason(code, reason))
                : Uni.createFrom().voidItem();
        closing.subscribe().with(ok -> {}, error -> LOG.debugf("close of %s failed: %s", connection.id(), error));
    }
}
