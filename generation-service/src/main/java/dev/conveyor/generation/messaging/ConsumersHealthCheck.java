package dev.conveyor.generation.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the task-events and projects consumer threads run. */
@Readiness
@ApplicationScoped
public class ConsumersHealthCheck implements HealthCheck {
    private final MessagingLifecycle messaging;

    public ConsumersHealthCheck(MessagingLifecycle messaging) {
        this.messaging = messaging;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("generation-service consumers")
                .status(messaging.consumersRunning())
                .build();
    }
}
