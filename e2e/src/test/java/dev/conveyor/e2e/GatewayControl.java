package dev.conveyor.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.conveyor.devstack.ServiceProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A tiny HTTP server on 127.0.0.1 (random port) that lets a test in another process stop and start the gateway:
 * {@code POST /gateway/stop} answers 200 once the gateway's JVM is gone (SIGTERM, as Kubernetes stops a pod; SIGKILL
 * after 30 s), {@code POST /gateway/start} answers 200 once it is ready again on the same port. Both are idempotent.
 * Requests run one at a time. Anything else: 404, or 405 for another method; a failed start answers 500 with the reason.
 */
final class GatewayControl implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;

    private GatewayControl(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    static GatewayControl start(ServiceProcess gateway) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gateway-control");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext(
                "/gateway/stop",
                exchange -> handle(exchange, () -> {
                    gateway.stop();
                    return "stopped";
                }));
        server.createContext(
                "/gateway/start",
                exchange -> handle(exchange, () -> {
                    if (!gateway.isAlive()) {
                        gateway.start();
                    }
                    return "ready at " + gateway.url();
                }));
        server.start();
        return new GatewayControl(server, executor);
    }

    interface Action {
        String run() throws Exception;
    }

    private static void handle(HttpExchange exchange, Action action) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!path.equals(exchange.getHttpContext().getPath())) {
                respond(exchange, 404, "no such control: " + path);
            } else if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().add("Allow", "POST");
                respond(exchange, 405, "POST only");
            } else {
                exchange.getRequestBody().readAllBytes();
                String result;
                try {
                    result = action.run();
                } catch (Exception e) {
                    respond(exchange, 500, String.valueOf(e));
                    return;
                }
                respond(exchange, 200, result);
            }
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
