package dev.conveyor.kit.outbox;

/**
 * When the relay's next pass may start: lingering only under load. A pass costs the same whether it carries one row
 * or a hundred — a transaction with its WAL flush, a produce request, and downstream a fetch per consumer and a frame
 * per subscribed client — so while commits arrive faster than passes end, the relay lets the next pass start no sooner
 * than {@code linger} after the last one ended and takes what several commits wrote at once. An event after a quiet
 * spell (the last pass published nothing, or the nudge came later than the linger) is published at once, and a full
 * pass (a backlog) is followed at once: the linger never delays catching up.
 */
final class RelayPacing {
    private RelayPacing() {}

    /**
     * How long to wait before the next pass, in nanoseconds (0: start now).
     *
     * @param lastPublished rows the last pass published (or dead-lettered)
     * @param batchSize     the most a pass takes
     * @param lastEnded     {@link System#nanoTime()} when the last pass ended
     * @param now           {@link System#nanoTime()} now, after the nudge
     * @param linger        the linger in nanoseconds
     */
    static long waitNanos(int lastPublished, int batchSize, long lastEnded, long now, long linger) {
        if (linger <= 0 || lastPublished == 0 || lastPublished >= batchSize) {
            return 0;
        }
        return Math.max(0, lastEnded + linger - now);
    }
}
