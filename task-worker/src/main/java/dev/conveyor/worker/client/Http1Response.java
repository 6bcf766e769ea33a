package dev.conveyor.worker.client;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 response read from a connection's stream: its status, its body (by {@code Content-Length}, chunked, or up
 * to the end of the stream) and whether the connection can carry the next request. Refuses what task-api never sends
 * rather than guessing: a line over {@value #MAX_LINE} bytes, more than {@value #MAX_HEADERS} headers, a body over
 * {@value #MAX_BODY} bytes.
 */
record Http1Response(int status, byte[] body, boolean reusable) {
    static final int MAX_LINE = 8192;
    static final int MAX_HEADERS = 100;
    static final int MAX_BODY = 64 * 1024 * 1024;

    /**
     * Reads one response. {@link NoResponseException} when the stream ended or failed before its first byte: on a
     * kept-alive connection that the server had already closed, the request never reached it.
     */
    static Http1Response read(InputStream in) throws IOException {
        String statusLine;
        try {
            statusLine = firstLine(in);
        } catch (SocketTimeoutException e) {
            throw e; // the server may be working on the request: never a reason to send it again
        } catch (IOException e) {
            throw e instanceof NoResponseException ? e : new NoResponseException(e);
        }
        int status = parseStatus(statusLine);
        while (status >= 100 && status < 200 && status != 101) {
            skipHeaders(in);
            statusLine = line(in);
            status = parseStatus(statusLine);
        }
        long length = -1;
        boolean chunked = false;
        boolean close = statusLine.startsWith("HTTP/1.0");
        int headers = 0;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            if (++headers > MAX_HEADERS) {
                throw new IOException("more than " + MAX_HEADERS + " response headers");
            }
            int colon = h.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed response header: " + h);
            }
            String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = parseLength(value);
                case "transfer-encoding" ->
                    chunked = value.toLowerCase(Locale.ROOT).endsWith("chunked");
                case "connection" -> {
                    String v = value.toLowerCase(Locale.ROOT);
                    if (v.contains("close")) {
                        close = true;
                    } else if (v.contains("keep-alive")) {
                        close = false;
                    }
                }
                default -> {
                    // not needed by the worker protocol
                }
            }
        }
        if (status == 204 || status == 304) {
            return new Http1Response(status, new byte[0], !close);
        }
        if (chunked) {
            return new Http1Response(status, chunkedBody(in), !close);
        }
        if (length >= 0) {
            byte[] body = in.readNBytes((int) length);
            if (body.length < length) {
                throw new EOFException("response body ended after " + body.length + " of " + length + " bytes");
            }
            return new Http1Response(status, body, !close);
        }
        // Neither length nor chunks: the body runs to the end of the stream, and the connection is spent.
        return new Http1Response(status, upTo(in, MAX_BODY), false);
    }

    private static String firstLine(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new NoResponseException(new EOFException("connection closed before a response"));
        }
        return lineAfter(b, in);
    }

    private static int parseStatus(String statusLine) throws IOException {
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' ') {
            throw new IOException("not an HTTP/1.x status line: " + statusLine);
        }
        try {
            return Integer.parseInt(statusLine.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP/1.x status line: " + statusLine);
        }
    }

    private static long parseLength(String value) throws IOException {
        try {
            long n = Long.parseLong(value);
            if (n < 0 || n > MAX_BODY) {
                throw new IOException("response Content-Length out of range: " + value);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IOException("malformed response Content-Length: " + value);
        }
    }

    private static void skipHeaders(InputStream in) throws IOException {
        int n = 0;
        while (!line(in).isEmpty()) {
            if (++n > MAX_HEADERS) {
                throw new IOException("more than " + MAX_HEADERS + " response headers");
            }
        }
    }

    private static byte[] chunkedBody(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = line(in);
            int semicolon = sizeLine.indexOf(';');
            String hex = (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim();
            int size;
            try {
                size = Integer.parseInt(hex, 16);
            } catch (NumberFormatException e) {
                throw new IOException("malformed chunk size: " + sizeLine);
            }
            if (size < 0 || body.size() + (long) size > MAX_BODY) {
                throw new IOException("chunked response body over " + MAX_BODY + " bytes");
            }
            if (size == 0) {
                skipHeaders(in); // trailers, then the empty line
                return body.toByteArray();
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length < size) {
                throw new EOFException("chunk ended after " + chunk.length + " of " + size + " bytes");
            }
            body.write(chunk);
            if (!line(in).isEmpty()) {
                throw new IOException("chunk not followed by CRLF");
            }
        }
    }

    private static byte[] upTo(InputStream in, int max) throws IOException {
        byte[] body = in.readNBytes(max + 1);
        if (body.length > max) {
            throw new IOException("response body over " + max + " bytes");
        }
        return body;
    }

    private static String line(InputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("connection closed inside a response");
        }
        return lineAfter(b, in);
    }

    /** The rest of a line whose first byte {@code b} was read; CRLF (or a bare LF) ends it and is not part of it. */
    private static String lineAfter(int b, InputStream in) throws IOException {
        byte[] buf = new byte[128];
        int n = 0;
        while (b != '\n') {
            if (b < 0) {
                throw new EOFException("connection closed inside a response line");
            }
            if (n == buf.length) {
                if (n >= MAX_LINE) {
                    throw new IOException("response line over " + MAX_LINE + " bytes");
                }
                buf = java.util.Arrays.copyOf(buf, n * 2);
            }
            buf[n++] = (byte) b;
            b = in.read();
        }
        if (n > 0 && buf[n - 1] == '\r') {
            n--;
        }
        return new String(buf, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** The stream ended or failed before the response's first byte. */
    static final class NoResponseException extends IOException {
        NoResponseException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
