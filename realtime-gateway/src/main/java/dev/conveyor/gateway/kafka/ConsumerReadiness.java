package dev.conveyor.gateway.kafka;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the history is rebuilt from Kafka; not ready while the consumer is stuck. */
@Readiness
@ApplicationScoped
public class ConsumerReadiness implements HealthCheck {
    private final ChangeLogService service;

    public ConsumerReadiness(ChangeLogService service) {
        this.service = service;
    }

    @Override
    public HealthCheckResponse call() {
        ChangeLog log = service.changeLog();
        boolean stuck = log.stuck();
        var builder = HealthCheckResponse.named("realtime-gateway change log")
                .status(log.caughtUp() && !stuck)
                .withData("caughtUp", log.caughtUp())
                .withData("stuck", stuck)
                .withData("lag", log.lag())
                .withData("channels", log.channelCount())
                .withData("restarts", log.restarts());
        if (log.lastError() != null) {
            builder.withData("lastError", log.lastError());
        }
        return builder.build();
    }
}
