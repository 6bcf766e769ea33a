package dev.conveyor.gateway.socket;

import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketBase;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.jboss.logging.Logger;

/**
 * The Vert.x {@link ServerWebSocket} behind a websockets-next connection. websockets-next 3.34 offers only
 * {@code sendText(String)} / {@code sendText(Object)} (a Uni and a UTF-8 encoding per send) and no public accessor for
 * the socket; its connection base class has a package-private {@code webSocket()}, reached here once through a
 * private lookup. If a later Quarkus changes that, {@link #of} answers null and frames go through {@code sendText}.
 */
final class DirectSocket {
    private static final Logger LOG = Logger.getLogger(DirectSocket.class);
    private static final String BASE = "io.quarkus.websockets.next.runtime.WebSocketConnectionBase";
    private static volatile MethodHandle accessor;
    private static volatile boolean unavailable;

    private DirectSocket() {}

    /** The connection's socket, or null when it cannot be reached (then use the websockets-next API). */
    static ServerWebSocket of(WebSocketConnection connection) {
        if (unavailable) {
            return null;
        }
        try {
            MethodHandle handle = accessor;
            if (handle == null) {
                handle = find(connection.getClass());
                accessor = handle;
                LOG.infof("frames are written straight to the Vert.x WebSocket of each connection");
            }
            Object socket = handle.invoke(connection);
            return socket instanceof ServerWebSocket server ? server : null;
        } catch (Throwable e) {
            unavailable = true;
            LOG.warnf(
                    "cannot reach the Vert.x WebSocket behind websockets-next (%s): frames go through sendText",
                    e.toString());
            return null;
        }
    }

    private static MethodHandle find(Class<?> type) throws ReflectiveOperationException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(BASE)) {
                MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(c, MethodHandles.lookup());
                return lookup.findVirtual(c, "webSocket", MethodType.methodType(WebSocketBase.class))
                        .asType(MethodType.methodType(Object.class, WebSocketConnection.class));
            }
        }
        throw new NoSuchMethodException(BASE + ".webSocket() in the hierarchy of " + type.getName());
    }
}
