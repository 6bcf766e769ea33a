package dev.conveyor.worker.client;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A small blocking HTTP/1.1 client for one origin (task-api), for the worker protocol: the calling thread writes the
 * request and reads the answer itself, on a kept-alive connection from a small pool.
 *
 * <p>Why not the JDK's {@code java.net.http.HttpClient}: its exchanges hop between its selector thread, its executor
 * and the caller, and cost the worker ~0.5 ms of CPU per blocking request and ~0.8–1 ms per async one (measured against
 * a local server, see docs/benchmarks.md), more than the no-op task it reports. Here a request is one {@code write}
 * (headers and body together, {@code TCP_NODELAY}) and the answer is read on the same thread: no hand-off at all.
 *
 * <p>Sending again: only when a connection taken from the pool ended or failed before the first byte of the answer
 * (the server had closed it while idle, so the request never reached it) is the request sent once more, on a new
 * connection; a read timeout or a failure after that is the caller's error. Connections idle for longer than
 * {@link #MAX_IDLE} are not reused. An {@code https} origin is reached over TLS with the JVM's default trust store and
 * host name verification (a worker outside the cluster, through task-api's ingress).
 */
final class Http1Client implements AutoCloseable {
    static final Duration MAX_IDLE = Duration.ofSeconds(20);
    private static final int MAX_POOLED = 8;

    private final String host;
    private final int port;
    private final boolean tls;
    private final String hostHeader;
    private final String basePath;
    private final int connectTimeoutMillis;
    private final Deque<Connection> idle = new ArrayDeque<>();
    private boolean closed;

    Http1Client(URI base, Duration connectTimeout) {
        this.tls = "https".equalsIgnoreCase(base.getScheme());
        if (!tls && !"http".equalsIgnoreCase(base.getScheme()) || base.getHost() == null) {
            throw new IllegalArgumentException("task-api URL must be http(s)://host[:port][/path], not " + base);
        }
        this.host = base.getHost();
        this.port = base.getPort() < 0 ? (tls ? 443 : 80) : base.getPort();
        this.hostHeader = base.getPort() < 0 ? host : host + ":" + port;
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.connectTimeoutMillis = (int) connectTimeout.toMillis();
    }

    /**
     * Sends {@code method path} (relative to the base URL) with {@code headers} and {@code body} (null: none) and waits
     * for the answer, at most {@code timeout} for each read.
     */
    Http1Response exchange(String method, String path, Map<String, String> headers, byte[] body, Duration timeout)
            throws IOException {
        byte[] request = request(method, path, headers, body);
        Connection c = pooled();
        if (c != null) {
            try {
                return exchangeOn(c, request, timeout);
            } catch (Http1Response.NoResponseException stale) {
                c.close(); // closed by the server while idle: the request did not reach it
            }
        }
        return exchangeOn(connect(), request, timeout);
    }

    private Http1Response exchangeOn(Connection c, byte[] request, Duration timeout) throws IOException {
        boolean keep = false;
        try {
            c.socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            try {
                c.out.write(request);
                c.out.flush();
            } catch (IOException e) {
                throw new Http1Response.NoResponseException(e);
            }
            Http1Response response = Http1Response.read(c.in);
            keep = response.reusable();
            return response;
        } finally {
            if (keep) {
                release(c);
            } else {
                c.close();
            }
        }
    }

    private byte[] request(String method, String path, Map<String, String> headers, byte[] body) {
        StringBuilder head = new StringBuilder(256)
                .append(method)
                .append(' ')
                .append(basePath)
                .append(path)
                .append(" HTTP/1.1\r\nHost: ")
                .append(hostHeader)
                .append("\r\n");
        headers.forEach((name, value) -> {
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("header " + name + " holds a line break");
            }
            head.append(name).append(": ").append(value).append("\r\n");
        });
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length() + (body == null ? 0 : body.length));
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        if (body != null) {
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    /** The most recently used idle connection still young enough to trust, or null. */
    private synchronized Connection pooled() throws IOException {
        if (closed) {
            throw new IOException("client closed");
        }
        long now = System.nanoTime();
        Connection c;
        while ((c = idle.pollFirst()) != null) {
            if (now - c.idleSince < MAX_IDLE.toNanos()) {
                return c;
            }
            c.close();
        }
        return null;
    }

    private void release(Connection c) {
        c.idleSince = System.nanoTime();
        synchronized (this) {
            if (!closed && idle.size() < MAX_POOLED) {
                idle.addFirst(c);
                return;
            }
        }
        c.close();
    }

    private Connection connect() throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
            return new Connection(tls ? handshake(socket) : socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    private SSLSocket handshake(Socket plain) throws IOException {
        SSLSocket ssl =
                (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(plain, host, port, true);
        SSLParameters parameters = ssl.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        ssl.setSSLParameters(parameters);
        ssl.setSoTimeout(connectTimeoutMillis);
        ssl.startHandshake();
        return ssl;
    }

    /** Closes the idle connections; connections in use close when their exchange ends. */
    @Override
    public void close() {
        List<Connection> idleNow;
        synchronized (this) {
            closed = true;
            idleNow = List.copyOf(idle);
            idle.clear();
        }
        idleNow.forEach(Connection::close);
    }

    private static final class Connection {
        final Socket socket;
        final InputStream in;
        final OutputStream out;
        long idleSince;

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
            this.out = socket.getOutputStream();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing left to release
            }
        }
    }
}
