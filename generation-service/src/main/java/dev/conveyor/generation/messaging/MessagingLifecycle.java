package dev.conveyor.generation.messaging;

import dev.conveyor.contracts.Topics;
import dev.conveyor.generation.config.GenerationConfig;
import dev.conveyor.kit.consumer.ConsumerLoop;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;

/** Starts the two consumers and the outbox relay with the application and stops them before it ends. */
@ApplicationScoped
public class MessagingLifecycle {
    private final GenerationConfig config;
    private final KafkaClients kafka;
    private final DeadLetters deadLetters;
    private final TaskEventsHandler taskEvents;
    private final ProjectsHandler projects;
    private final Outbox outbox;
    private final List<ConsumerLoop> loops = new ArrayList<>();

    public MessagingLifecycle(
            GenerationConfig config,
            KafkaClients kafka,
            DeadLetters deadLetters,
            TaskEventsHandler taskEvents,
            ProjectsHandler projects,
            Outbox outbox) {
        this.config = config;
        this.kafka = kafka;
        this.deadLetters = deadLetters;
        this.taskEvents = taskEvents;
        this.projects = projects;
        this.outbox = outbox;
    }

    void start(@Observes StartupEvent event) {
        if (config.relay().enabled()) {
            outbox.relay().start();
        }
        if (config.consumer().enabled()) {
            GenerationConfig.Consumer consumer = config.consumer();
            loops.add(taskEventsLoop(Topics.TASK_EVENTS, consumer.taskEventsGroup())
                    .start());
            loops.add(new ConsumerLoop(
                            Topics.PROJECTS,
                            kafka.consumerConfig(consumer.projectsGroup(), consumer.maxPollRecords()),
                            projects::handleBatch,
                            deadLetters,
                            consumer.retryBackoff())
                    .start());
        }
    }

    /** A task-events consumer for {@code topic} and {@code group} (the application runs one; tests and benchmarks more). */
    public ConsumerLoop taskEventsLoop(String topic, String group) {
        GenerationConfig.Consumer consumer = config.consumer();
        return new ConsumerLoop(
                topic,
                kafka.consumerConfig(group, consumer.maxPollRecords()),
                taskEvents::handleBatch,
                deadLetters,
                consumer.retryBackoff());
    }

    /** True while every started consumer thread is polling (readiness). */
    public boolean consumersRunning() {
        return loops.stream().allMatch(ConsumerLoop::isRunning);
    }

    void stop(@Observes ShutdownEvent event) {
        loops.forEach(ConsumerLoop::close);
        loops.clear();
        outbox.relay().close();
    }
}
