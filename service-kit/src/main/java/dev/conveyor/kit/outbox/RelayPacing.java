package dev.conveyor.kit.outbox;

/**
 * When the relay's next pass may start. A pass costs the same whether it carries one row or a hundred — a transaction
 * with its WAL flush, a produce request, and downstream a fetch per consumer and a frame per subscribed client — so:
 * <ul>
 * <li>under load (commits arrive faster than passes end) the next pass starts no sooner than {@code linger} after the
 * last one ended and takes what several commits wrote at once;</li>
 * <li>after a quiet spell (the last pass published nothing, or the nudge came later than the linger) the pass waits
 * {@code idleLinger} from the nudge: the commit that nudged it has usually woken something more urgent on the same
 * cores — a waiting worker's claim — and the next step of the same task (its claim's event) rides in the same
 * pass;</li>
 * <li>a full pass (a backlog) is followed at once: neither linger delays catching up.</li>
 * </ul>
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
     * @param linger        the linger under load, in nanoseconds
     * @param idleLinger    the linger after a quiet spell, in nanoseconds
     */
    static long waitNanos(int lastPublished, int batchSize, long lastEnded, long now, long linger, long idleLinger) {
        if (lastPublished >= batchSize) {
            return 0;
        }
        long underLoad = lastEnded + linger - now;
        if (lastPublished > 0 && underLoad > 0) {
            return underLoad;
        }
        return Math.max(0, idleLinger);
    }
}
