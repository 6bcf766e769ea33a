package dev.conveyor.gateway.socket;

/** Where a session's frames go: the WebSocket connection (or, in unit tests, a recording sink). */
public interface Outbound {
    /** Writes one text frame; exactly one of the callbacks runs once the frame is written or failed. */
    void send(String frame, Runnable written, Runnable failed);

    /** The same for a pre-encoded frame (possibly shared by many connections); by default as its text. */
    default void send(TextFrame frame, Runnable written, Runnable failed) {
        send(frame.text(), written, failed);
    }

    void close(int code, String reason);
}
