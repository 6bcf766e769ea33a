package dev.conveyor.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.conveyor.worker.sdk.TaskContext;
import dev.conveyor.worker.sdk.TaskHandler;
import dev.conveyor.worker.sdk.TaskResult;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HandlerRegistryTest {

    record H(String taskType, String capability) implements TaskHandler {
        @Override
        public Uni<TaskResult> handle(TaskContext context) {
            return Uni.createFrom().item(TaskResult.empty());
        }
    }

    @Test
    void capabilitiesAreTheUnionOfTheHandlersUnlessConfigured() {
        HandlerRegistry r = new HandlerRegistry(
                List.of(
                        new H("single_image", null),
                        new H("travel_segment", "wan2gp"),
                        new H("travel_stitch", "wan2gp")),
                Optional.empty(),
                Optional.empty());
        assertThat(r.capabilities()).containsExactly("wan2gp");
        assertThat(r.taskTypes()).containsExactly("single_image", "travel_segment", "travel_stitch");
        assertThat(r.runs("single_image")).isTrue();
        assertThat(r.runs("other")).isFalse();

        HandlerRegistry configured =
                new HandlerRegistry(List.of(new H("a", "x")), Optional.empty(), Optional.of(List.of("gpu", "cpu")));
        assertThat(configured.capabilities()).containsExactly("cpu", "gpu");
    }

    @Test
    void theTaskTypesSettingNarrowsTheHandlersAndMustNameExistingOnes() {
        HandlerRegistry r = new HandlerRegistry(
                List.of(new H("a", null), new H("b", "gpu")), Optional.of(List.of("a")), Optional.empty());
        assertThat(r.taskTypes()).containsExactly("a");
        assertThat(r.capabilities()).isEmpty();
        assertThatThrownBy(() ->
                        new HandlerRegistry(List.of(new H("a", null)), Optional.of(List.of("zzz")), Optional.empty()))
                .hasMessageContaining("zzz");
    }

    @Test
    void twoHandlersForOneTypeAreRefused() {
        assertThatThrownBy(() -> new HandlerRegistry(
                        List.of(new H("a", null), new H("a", null)), Optional.empty(), Optional.empty()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("two handlers");
    }

    @Test
    void heartbeatsComeAtAThirdOfTheLeaseWithinBounds() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(LeaseKeeper.heartbeatEvery(now.plusSeconds(30), now)).isEqualTo(Duration.ofSeconds(10));
        assertThat(LeaseKeeper.heartbeatEvery(now.plus(Duration.ofMinutes(30)), now))
                .isEqualTo(Duration.ofMinutes(10));
        assertThat(LeaseKeeper.heartbeatEvery(now.plusMillis(300), now)).isEqualTo(Duration.ofMillis(200));
        assertThat(LeaseKeeper.heartbeatEvery(null, now)).isEqualTo(Duration.ofSeconds(10));
    }
}
