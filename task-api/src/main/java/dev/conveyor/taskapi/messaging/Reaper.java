package dev.conveyor.taskapi.messaging;

import dev.conveyor.taskapi.domain.WorkerService;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Expired leases: back to queued, or failed when attempts are spent. Batched; safe with several replicas because the
 * batch is picked with FOR UPDATE SKIP LOCKED.
 */
@ApplicationScoped
public class Reaper {
    private static final Logger LOG = Logger.getLogger(Reaper.class);
    private final WorkerService worker;

    public Reaper(WorkerService worker) {
        this.worker = worker;
    }

    @Scheduled(every = "${conveyor.reaper.every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, delayed = "1s")
    Uni<Void> reap() {
        return worker.reapOnce().onItem().invoke(n -> {
            if (n > 0) {
                LOG.infof("reaper: %d expired leases handled", n);
            }
        }).onFailure().invoke(e -> LOG.warnf("reaper pass failed: %s", e.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }
}
