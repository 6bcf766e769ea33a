package dev.conveyor.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Browser tabs on the gateway: WebSocket clients of /v1/realtime, each subscribed to its user's project and user
 * channels, reading every frame (counted, not parsed: the gateway's cost is what is measured, not the client's).
 */
final class RealtimeClients implements AutoCloseable {
    private final List<WebSocket> sockets = new ArrayList<>();
    private final AtomicLong frames = new AtomicLong();
    private final List<Watch> watches = new CopyOnWriteArrayList<>();

    /** Opens one client per entry of {@code tabs} and waits until each has its two subscriptions confirmed. */
    RealtimeClients(String gatewayUrl, List<TaskApiClient> tabs, List<java.util.UUID> projects) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<CompletableFuture<Void>> subscribed = new ArrayList<>();
        for (int i = 0; i < tabs.size(); i++) {
            TaskApiClient user = tabs.get(i);
            CompletableFuture<Void> confirmed = new CompletableFuture<>();
            URI uri =
                    URI.create(gatewayUrl.replaceFirst("^http", "ws") + "/v1/realtime?access_token=" + user.userToken);
            WebSocket ws = http.newWebSocketBuilder()
                    .connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(uri, new Counter(confirmed))
                    .get(30, TimeUnit.SECONDS);
            ws.sendText("{\"type\":\"subscribe\",\"channel\":\"project:" + projects.get(i) + "\"}", true)
                    .get(10, TimeUnit.SECONDS);
            ws.sendText("{\"type\":\"subscribe\",\"channel\":\"user:" + user.userId + "\"}", true)
                    .get(10, TimeUnit.SECONDS);
            sockets.add(ws);
            subscribed.add(confirmed);
        }
        CompletableFuture.allOf(subscribed.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    /** Frames received by all clients so far. */
    long frames() {
        return frames.get();
    }

    /**
     * Counts, from now on, the frames any tab receives that mention {@code needle} (e.g. a task id: every change of
     * the task invalidates its key). Lets the driver wait for a change instead of polling task-api, whose CPU would
     * then compete with the very path being measured. Close it when done.
     */
    Watch watch(String needle) {
        Watch w = new Watch(needle);
        watches.add(w);
        return w;
    }

    /** Frames mentioning one string, counted; see {@link #watch}. */
    final class Watch implements AutoCloseable {
        private final String needle;
        private long hits;

        private Watch(String needle) {
            this.needle = needle;
        }

        synchronized long hits() {
            return hits;
        }

        private synchronized void offer(String text) {
            if (text.contains(needle)) {
                hits++;
                notifyAll();
            }
        }

        /** Waits until more than {@code seen} frames mentioned the needle, at most {@code max}; false on timeout. */
        synchronized boolean awaitMore(long seen, Duration max) throws InterruptedException {
            long deadline = System.nanoTime() + max.toNanos();
            long left;
            while (hits <= seen && (left = deadline - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return hits > seen;
        }

        /**
         * Waits until no frame mentioned the needle for {@code quiet} (a burst of frames is over), at most {@code max}.
         */
        synchronized void awaitQuiet(Duration quiet, Duration max) throws InterruptedException {
            long deadline = System.nanoTime() + max.toNanos();
            long seen = hits;
            long left;
            while ((left = deadline - System.nanoTime()) > 0) {
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, quiet.toNanos()));
                if (hits == seen) {
                    return;
                }
                seen = hits;
            }
        }

        @Override
        public void close() {
            watches.remove(this);
        }
    }

    int size() {
        return sockets.size();
    }

    @Override
    public void close() {
        sockets.forEach(WebSocket::abort);
    }

    private final class Counter implements WebSocket.Listener {
        private final CompletableFuture<Void> confirmed;
        private int subscriptions;

        Counter(CompletableFuture<Void> confirmed) {
            this.confirmed = confirmed;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            if (last) {
                frames.incrementAndGet();
                String text = data.toString();
                for (Watch w : watches) {
                    w.offer(text);
                }
                if (text.contains("\"type\":\"subscribed\"") && ++subscriptions == 2) {
                    confirmed.complete(null);
                } else if (text.contains("\"type\":\"error\"")) {
                    confirmed.completeExceptionally(new IllegalStateException("gateway refused: " + text));
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            confirmed.completeExceptionally(new IllegalStateException("closed " + statusCode + " " + reason));
            return null;
        }
    }
}
