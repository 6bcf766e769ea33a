package dev.conveyor.worker.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness {@code task-events-wakeups}: down while the wake-up consumer's sessions fail, which happens when no broker
 * answers (so together with the Kafka connection check); its failure counts as data. Up, marked off, on a worker that
 * takes no wake-ups.
 */
@Readiness
@ApplicationScoped
public class WakeupsReadiness implements HealthCheck {
    private final TaskEventWakeups wakeups;

    public WakeupsReadiness(TaskEventWakeups wakeups) {
        this.wakeups = wakeups;
    }

    @Override
    public HealthCheckResponse call() {
        return wakeups.loopHealth();
    }
}
