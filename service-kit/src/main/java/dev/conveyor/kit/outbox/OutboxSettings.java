package dev.conveyor.kit.outbox;

import java.time.Duration;

/**
 * How a service runs its outbox relay.
 *
 * @param service      the service name: thread name, producer client id and the {@code service} tag of the metrics
 * @param batchSize    rows published per pass at most
 * @param pollInterval how long the relay waits for a nudge before looking again
 * @param retention    published rows are deleted after this long; zero: deleted by the pass that published them
 * @param maxLag       readiness goes DOWN while the oldest unpublished row is older than this
 * @param linger       under load, consecutive passes start at least this far apart (see {@link RelayPacing}); zero:
 *                     a nudge under load starts a pass at once
 * @param idleLinger   after a quiet spell, a pass starts this long after the nudge (see {@link RelayPacing}); zero:
 *                     at once
 */
public record OutboxSettings(
        String service,
        int batchSize,
        Duration pollInterval,
        Duration retention,
        Duration maxLag,
        Duration linger,
        Duration idleLinger) {
    /** pg advisory lock key, "OUTBOX" in ASCII: one relay at a time per database. */
    public static final long LOCK_KEY = 0x4F5554424F58L;

    /**
     * The relay's settings as a service declares them (its config mapping's relay group extends this and gives the
     * defaults that suit it), so that every service builds its {@link OutboxSettings} the same way.
     */
    public interface Source {
        int batchSize();

        Duration pollInterval();

        Duration retention();

        Duration maxLag();

        Duration linger();

        Duration idleLinger();
    }

    /** {@code service}'s relay, as {@code source} configures it. */
    public static OutboxSettings of(String service, Source source) {
        return new OutboxSettings(
                service,
                source.batchSize(),
                source.pollInterval(),
                source.retention(),
                source.maxLag(),
                source.linger(),
                source.idleLinger());
    }

    /** A zero retention: the pass deletes the rows Kafka acknowledged instead of marking them published. */
    public boolean deletesOnPublish() {
        return retention.isZero();
    }
}
