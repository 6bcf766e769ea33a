package dev.conveyor.gateway.socket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * A server frame as JSON text, UTF-8 encoded once. The same instance can be written to any number of connections
 * (an invalidation shared by every subscriber of the event): each write gets its own read-only view of the bytes.
 */
public final class TextFrame {
    private final String text;
    private final ByteBuf bytes;

    private TextFrame(String text) {
        this.text = text;
        this.bytes = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)));
    }

    public static TextFrame of(String text) {
        return new TextFrame(text);
    }

    public String text() {
        return text;
    }

    /** The encoded size in bytes. */
    public int size() {
        return bytes.readableBytes();
    }

    /** The encoded frame payload for one write: an independent view (own indices) that the write may not release. */
    public ByteBuf payload() {
        return bytes.duplicate();
    }
}
