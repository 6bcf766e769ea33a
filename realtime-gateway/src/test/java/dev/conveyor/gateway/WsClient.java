package dev.conveyor.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.Json;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** A Vert.x WebSocket client of /v1/realtime that records every frame and the close code. */
final class WsClient implements AutoCloseable {
    final List<JsonNode> frames = new CopyOnWriteArrayList<>();
    volatile Short closeCode;
    private final WebSocketClient client;
    private final ClientWebSocket socket;

    /**
     * The handlers go on before the connection exists: a frame the server sends right after the upgrade (the welcome)
     * can arrive in the same read as the 101 answer, before a handler set once {@code connect} completed.
     */
    private WsClient(WebSocketClient client) {
        this.client = client;
        this.socket = client.webSocket();
        socket.textMessageHandler(text -> {
            try {
                frames.add(Json.MAPPER.readTree(text));
            } catch (Exception e) {
                frames.add(Json.MAPPER
                        .createObjectNode()
                        .put("type", "unparseable")
                        .put("raw", text));
            }
        });
        socket.closeHandler(v -> closeCode = socket.closeStatusCode() == null ? -1 : socket.closeStatusCode());
    }

    /** Connects to {@code base} (http://host:port) with the token as access_token (null = none). */
    static WsClient connect(Vertx vertx, URI base, String token) {
        return connect(vertx, base, token, new io.vertx.core.http.WebSocketClientOptions());
    }

    /** The same with client options (e.g. a larger maxFrameSize, so a big message goes out as one frame). */
    static WsClient connect(
            Vertx vertx, URI base, String token, io.vertx.core.http.WebSocketClientOptions clientOptions) {
        WebSocketClient client = vertx.createWebSocketClient(clientOptions);
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost(base.getHost())
                .setPort(base.getPort())
                .setURI("/v1/realtime" + (token == null ? "" : "?access_token=" + token));
        try {
            return open(client, options);
        } catch (Exception e) {
            throw new IllegalStateException("could not connect: " + e, e);
        }
    }

    /**
     * Opens the upgrade with exactly this {@code Origin} header (null = none, as a non-browser client), and answers the
     * client, or the HTTP status of a refused upgrade as the exception's message.
     */
    static WsClient connectFrom(Vertx vertx, URI base, String token, String origin) throws UpgradeRefused {
        WebSocketClient client = vertx.createWebSocketClient();
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost(base.getHost())
                .setPort(base.getPort())
                .setURI("/v1/realtime?access_token=" + token)
                // false strips every Origin header (Vert.x 4.5), true keeps ours instead of generating one
                .setAllowOriginHeader(origin != null);
        if (origin != null) {
            options.addHeader("Origin", origin);
        }
        try {
            return open(client, options);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof io.vertx.core.http.UpgradeRejectedException rejected) {
                client.close();
                throw new UpgradeRefused(rejected.getStatus());
            }
            throw new IllegalStateException("could not connect: " + e, e);
        } catch (Exception e) {
            throw new IllegalStateException("could not connect: " + e, e);
        }
    }

    private static WsClient open(WebSocketClient client, WebSocketConnectOptions options) throws Exception {
        WsClient ws = new WsClient(client);
        ws.socket.connect(options).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return ws;
    }

    /** The server answered the upgrade request with {@code status} instead of 101. */
    static final class UpgradeRefused extends Exception {
        final int status;

        UpgradeRefused(int status) {
            super("upgrade refused with HTTP " + status);
            this.status = status;
        }
    }

    /** Connects with the token and waits for the welcome frame. */
    static WsClient authenticated(Vertx vertx, URI base, String token) {
        WsClient ws = connect(vertx, base, token);
        ws.awaitFrame("welcome");
        return ws;
    }

    void send(String text) {
        socket.writeTextMessage(text);
    }

    void send(Map<String, ?> frame) {
        try {
            send(Json.MAPPER.writeValueAsString(frame));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    void sendBinary(byte[] data) {
        socket.writeBinaryMessage(Buffer.buffer(data));
    }

    /** Subscribes and waits for the subscribed frame; returns it. */
    JsonNode subscribe(String channel) {
        int before = ofType("subscribed").size();
        send(Map.of("type", "subscribe", "channel", channel));
        await().atMost(Duration.ofSeconds(10)).until(() -> ofType("subscribed").size() > before);
        return ofType("subscribed").get(before);
    }

    List<JsonNode> ofType(String type) {
        return frames.stream().filter(f -> type.equals(f.path("type").asText())).toList();
    }

    JsonNode awaitFrame(String type) {
        // Should the frame never come, the failure says what the client got instead (other frames, a close code).
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(ofType(type))
                        .as(() -> "a '" + type + "' frame; received " + frames + ", close code " + closeCode)
                        .isNotEmpty());
        return ofType(type).get(0);
    }

    Short awaitClose() {
        await().atMost(Duration.ofSeconds(10)).until(() -> closeCode != null);
        return closeCode;
    }

    /** The keys of a frame as their JSON text, e.g. ["tasks","paginated","p",1]. */
    static Set<String> keys(JsonNode frame) {
        List<String> keys = new ArrayList<>();
        frame.get("keys").forEach(k -> keys.add(k.toString()));
        return keys.stream().collect(Collectors.toSet());
    }

    static int keyCount(JsonNode frame) {
        return frame.get("keys").size();
    }

    boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public void close() {
        if (!socket.isClosed()) {
            socket.close();
        }
        client.close();
    }
}
