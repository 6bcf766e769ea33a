package dev.conveyor.worker.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** How the worker's HTTP/1.1 client reads an answer: the framings task-api (Vert.x) uses, and what it refuses. */
class Http1ResponseTest {

    private static InputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String text(Http1Response r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void aBodyByContentLengthLeavesTheNextResponseOnTheStream() throws IOException {
        InputStream in = bytes("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 7\r\n\r\n{\"a\":1}"
                + "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}");

        Http1Response first = Http1Response.read(in);
        Http1Response second = Http1Response.read(in);

        assertThat(first.status()).isEqualTo(200);
        assertThat(text(first)).isEqualTo("{\"a\":1}");
        assertThat(first.reusable()).isTrue();
        assertThat(second.status()).isEqualTo(404);
        assertThat(text(second)).isEqualTo("{}");
    }

    @Test
    void aChunkedBodyIsJoinedSkippingExtensionsAndTrailers() throws IOException {
        InputStream in = bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "4;name=x\r\n{\"ab\r\n3\r\n\":1\r\n1\r\n}\r\n0\r\nX-Trailer: t\r\n\r\nNEXT");

        Http1Response r = Http1Response.read(in);

        assertThat(text(r)).isEqualTo("{\"ab\":1}");
        assertThat(r.reusable()).isTrue();
        assertThat(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1)).isEqualTo("NEXT");
    }

    @Test
    void connectionCloseOrAnUndelimitedBodyEndsTheConnection() throws IOException {
        Http1Response closing =
                Http1Response.read(bytes("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"));
        Http1Response toEnd = Http1Response.read(bytes("HTTP/1.1 200 OK\r\n\r\n{\"to\":\"end\"}"));

        assertThat(closing.reusable()).isFalse();
        assertThat(toEnd.reusable()).isFalse();
        assertThat(text(toEnd)).isEqualTo("{\"to\":\"end\"}");
    }

    @Test
    void interimAnswersAreSkippedAndNoContentHasNoBody() throws IOException {
        InputStream in = bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");

        Http1Response noContent = Http1Response.read(in);
        Http1Response next = Http1Response.read(in);

        assertThat(noContent.status()).isEqualTo(204);
        assertThat(noContent.body()).isEmpty();
        assertThat(text(next)).isEqualTo("ok");
    }

    @Test
    void aStreamThatEndsBeforeTheFirstByteIsNoResponseButOneThatEndsInsideIsAnError() {
        assertThatThrownBy(() -> Http1Response.read(bytes(""))).isInstanceOf(Http1Response.NoResponseException.class);
        assertThatThrownBy(() -> Http1Response.read(bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}")))
                .isInstanceOf(EOFException.class)
                .isNotInstanceOf(Http1Response.NoResponseException.class);
        assertThatThrownBy(() -> Http1Response.read(bytes("HTTP/1.1 200 OK\r\nContent-Le")))
                .isInstanceOf(EOFException.class);
    }

    @Test
    void whatTaskApiNeverSendsIsRefusedNotGuessed() {
        String longHeader = "X-Long: " + "a".repeat(Http1Response.MAX_LINE + 1) + "\r\n";
        assertThatThrownBy(() -> Http1Response.read(bytes("HTTP/1.1 200 OK\r\n" + longHeader + "\r\n")))
                .hasMessageContaining("over " + Http1Response.MAX_LINE);
        assertThatThrownBy(() -> Http1Response.read(bytes("SSH-2.0-OpenSSH\r\n\r\n")))
                .hasMessageContaining("not an HTTP/1.x status line");
        assertThatThrownBy(() -> Http1Response.read(bytes("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n")))
                .hasMessageContaining("Content-Length");
        assertThatThrownBy(
                        () -> Http1Response.read(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")))
                .hasMessageContaining("chunk size");
    }
}
