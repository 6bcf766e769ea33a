package dev.conveyor.gateway.kafka;

import dev.conveyor.gateway.config.GatewayConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The replica's one {@link ChangeLog}, started with the application and closed with it. */
@ApplicationScoped
public class ChangeLogService {
    private final ChangeLog changeLog;

    public ChangeLogService(
            GatewayConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrapServers) {
        this.changeLog = new ChangeLog(
                new ChangeLogSettings(
                        bootstrapServers,
                        config.history().lookback(),
                        config.history().perChannel(),
                        config.history().maxChannels(),
                        config.stuckAfter()),
                "gateway");
    }

    void onStart(@Observes StartupEvent event) {
        changeLog.start();
    }

    void onStop(@Observes @Priority(10) ShutdownEvent event) {
        changeLog.close();
    }

    public ChangeLog changeLog() {
        return changeLog;
    }
}
