package dev.conveyor.taskapi.messaging;

import dev.conveyor.taskapi.domain.ExpiredLeases;
import dev.conveyor.taskapi.domain.StalledTasks;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Expired leases: back to queued, or failed when attempts are spent. Batched; safe with several replicas because the
 * batch is picked with FOR UPDATE SKIP LOCKED. The same pass then expires stalled tasks (when configured) and refreshes
 * the stalled-task gauge.
 */
@ApplicationScoped
public class Reaper {
    private static final Logger LOG = Logger.getLogger(Reaper.class);
    private final ExpiredLeases leases;
    private final StalledTasks stalled;

    public Reaper(ExpiredLeases leases, StalledTasks stalled) {
        this.leases = leases;
        this.stalled = stalled;
    }

    @Scheduled(
            every = "${conveyor.reaper.every}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            delayed = "1s")
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
