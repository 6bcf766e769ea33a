package dev.conveyor.taskapi.messaging;

import dev.conveyor.kit.loop.BackgroundLoop;
import dev.conveyor.taskapi.config.ConveyorConfig;
import dev.conveyor.taskapi.domain.ExpiredLeases;
import dev.conveyor.taskapi.domain.StalledTasks;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Expired leases: back to queued, or failed when attempts are spent. Batched; safe with several replicas because the
 * batch is picked with FOR UPDATE SKIP LOCKED. The same pass then expires stalled tasks (when configured) and refreshes
 * the stalled-task gauge. Runs on a service-kit {@link BackgroundLoop}: a pass, then {@code conveyor.reaper.every} of
 * pause (never two passes at once), the first a second after start.
 */
@Singleton
public class Reaper {
    private static final Logger LOG = Logger.getLogger(Reaper.class);
    private final ExpiredLeases leases;
    private final StalledTasks stalled;
    private final BackgroundLoop loop;

    public Reaper(ExpiredLeases leases, StalledTasks stalled, ConveyorConfig config) {
        this.leases = leases;
        this.stalled = stalled;
        this.loop = BackgroundLoop.builder("task-api-reaper")
                .every(config.reaper().every(), () -> reap().await().indefinitely())
                .firstDelay(Duration.ofSeconds(1))
                .build();
    }

    void start(@Observes StartupEvent ev) {
        loop.start();
    }

    void stop(@Observes ShutdownEvent ev) {
        loop.close();
    }

    /** One pass; its failures are logged, never thrown (the next pass tries again). */
    Uni<Void> reap() {
        return quietly(leases.reapOnce(), "reaper: %d expired leases handled", "reaper pass")
                .chain(() -> quietly(
                        stalled.pass(), "stalled tasks: %d expired (no worker can claim them)", "stalled-task pass"));
    }

    private static Uni<Void> quietly(Uni<Integer> pass, String done, String name) {
        return pass.onItem()
                .invoke(n -> {
                    if (n > 0) {
                        LOG.infof(done, n);
                    }
                })
                .onFailure()
                .invoke(e -> LOG.warnf("%s failed: %s", name, e.toString()))
                .onFailure()
                .recoverWithNull()
                .replaceWithVoid();
    }
}
