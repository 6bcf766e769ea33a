package dev.conveyor.worker.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The worker's HTTP/1.1 client against a socket server that answers as scripted: what goes on the wire, connection
 * reuse, and when a request is (and is not) sent a second time.
 */
class Http1ClientTest {
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private ServerSocket server;
    private Thread acceptor;

    /** What the scripted server does with the n-th request (0-based) it reads on any connection. */
    interface Script {
        /** Answers the request, or returns false to close the connection without answering. */
        boolean answer(int n, OutputStream out) throws IOException;
    }

    private URI serve(Script script) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        AtomicInteger seen = new AtomicInteger();
        acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    connections.incrementAndGet();
                    Thread t = new Thread(() -> serveConnection(s, script, seen));
                    t.setDaemon(true);
                    t.start();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/base");
    }

    private void serveConnection(Socket s, Script script, AtomicInteger seen) {
        try (s) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            while (true) {
                StringBuilder head = new StringBuilder();
                int length = 0;
                for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    head.append(line).append('\n');
                    if (line.toLowerCase().startsWith("content-length:")) {
                        length = Integer.parseInt(line.substring(15).trim());
                    }
                }
                if (head.length() == 0) {
                    return;
                }
                char[] body = new char[length];
                int read = 0;
                while (read < length) {
                    read += in.read(body, read, length - read);
                }
                requests.add(head + new String(body));
                if (!script.answer(seen.getAndIncrement(), s.getOutputStream())) {
                    return;
                }
            }
        } catch (IOException gone) {
            // the client closed the connection
        }
    }

    private static boolean ok(OutputStream out, String body) throws IOException {
        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.UTF_8));
        out.flush();
        return true;
    }

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aRequestCarriesItsHeadersAndBodyAndConsecutiveOnesShareOneConnection() throws IOException {
        URI base = serve((n, out) -> ok(out, "{\"n\":" + n + "}"));
        try (Http1Client client = new Http1Client(base, Duration.ofSeconds(3))) {
            Http1Response first = client.exchange(
                    "POST",
                    "/v1/worker/claim",
                    Map.of("Authorization", "Bearer t"),
                    "{\"max\":1}".getBytes(StandardCharsets.UTF_8),
                    Duration.ofSeconds(5));
            Http1Response second = client.exchange("GET", "/v1/worker/tasks/x", Map.of(), null, Duration.ofSeconds(5));

            assertThat(new String(first.body(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":0}");
            assertThat(new String(second.body(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":1}");
        }
        assertThat(requests.get(0))
                .startsWith("POST /base/v1/worker/claim HTTP/1.1\n")
                .contains("Host: 127.0.0.1:" + server.getLocalPort() + "\n")
                .contains("Authorization: Bearer t\n")
                .contains("Content-Length: 9\n")
                .endsWith("{\"max\":1}");
        assertThat(requests.get(1))
                .startsWith("GET /base/v1/worker/tasks/x HTTP/1.1\n")
                .doesNotContain("Content-Length");
        assertThat(connections).hasValue(1);
    }

    @Test
    void aPooledConnectionTheServerClosedWhileIdleIsReplacedAndTheRequestSentOnce() throws IOException {
        // The first request is answered (kept alive, as far as the answer says), then the server closes that connection
        // while it idles; the next request finds it dead before any answer, and goes out again on a new connection.
        URI base = serve((n, out) -> ok(out, "{\"n\":" + n + "}") && n != 0);
        try (Http1Client client = new Http1Client(base, Duration.ofSeconds(3))) {
            client.exchange("GET", "/a", Map.of(), null, Duration.ofSeconds(5));
            Http1Response again = client.exchange("POST", "/b", Map.of(), new byte[] {'1'}, Duration.ofSeconds(5));

            assertThat(new String(again.body(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":1}");
        }
        assertThat(connections).hasValue(2);
        assertThat(requests).hasSize(2);
    }

    @Test
    void aRequestWhoseAnswerTimesOutIsNotSentAgain() throws Exception {
        CountDownLatch clientGaveUp = new CountDownLatch(1);
        URI base = serve((n, out) -> {
            try {
                clientGaveUp.await(10, TimeUnit.SECONDS); // answers only after the client stopped waiting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ok(out, "{}");
        });
        try (Http1Client client = new Http1Client(base, Duration.ofSeconds(3))) {
            assertThatThrownBy(
                            () -> client.exchange("POST", "/claim", Map.of(), new byte[] {'1'}, Duration.ofMillis(300)))
                    .isInstanceOf(SocketTimeoutException.class);
        } finally {
            clientGaveUp.countDown();
        }
        assertThat(requests).hasSize(1);
    }

    @Test
    void aFreshConnectionThatGetsNoAnswerIsAnErrorNotARetry() throws IOException {
        URI base = serve((n, out) -> false);
        try (Http1Client client = new Http1Client(base, Duration.ofSeconds(3))) {
            assertThatThrownBy(
                            () -> client.exchange("POST", "/claim", Map.of(), new byte[] {'1'}, Duration.ofSeconds(5)))
                    .isInstanceOf(IOException.class);
        }
        assertThat(requests).hasSize(1);
    }

    @Test
    void anHttpsOriginIsSpokenToOverTlsNeverInPlainText() throws Exception {
        // A plain-text server: it records the first byte it receives and answers in plain HTTP.
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        CompletableFuture<Integer> firstByte = new CompletableFuture<>();
        Thread plain = new Thread(() -> {
            try (Socket s = server.accept()) {
                firstByte.complete(s.getInputStream().read());
                ok(s.getOutputStream(), "{}");
            } catch (IOException e) {
                firstByte.completeExceptionally(e);
            }
        });
        plain.setDaemon(true);
        plain.start();
        URI base = URI.create("https://127.0.0.1:" + server.getLocalPort());

        try (Http1Client client = new Http1Client(base, Duration.ofSeconds(3))) {
            assertThatThrownBy(
                            () -> client.exchange("GET", "/v1/worker/tasks/x", Map.of(), null, Duration.ofSeconds(3)))
                    .isInstanceOf(SSLException.class);
        }
        assertThat(firstByte.get(5, TimeUnit.SECONDS)).isEqualTo(0x16); // a TLS handshake record, not "GET"
    }

    @Test
    void onlyHttpAndHttpsOriginsAreAccepted() {
        assertThatThrownBy(() -> new Http1Client(URI.create("ftp://task-api:21"), Duration.ofSeconds(3)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
