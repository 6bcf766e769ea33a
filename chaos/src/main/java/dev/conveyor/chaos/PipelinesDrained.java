package dev.conveyor.chaos;

import java.util.ArrayList;
import java.util.List;

/**
 * The consumers' lag is back to zero (every consumer group at the end of every partition it reads) and no dead-letter
 * entry exists: the workload sends nothing a service may refuse, so any dead letter (an outbox row Kafka refused, a
 * record a consumer could not apply) is unexplained.
 */
final class PipelinesDrained implements Invariant {
    @Override
    public String name() {
        return "pipelines: consumer lag 0, no unexplained dead letter";
    }

    @Override
    public List<Violation> check(History h) {
        List<Violation> out = new ArrayList<>();
        h.lags().stream()
                .filter(l -> l.lag() != 0)
                .forEach(l -> out.add(new Violation(
                        name(), "group " + l.group() + " is " + l.lag() + " records behind on " + l.partition())));
        h.deadLetters().forEach(d -> out.add(new Violation(name(), "dead letter: " + d)));
        return out;
    }
}
