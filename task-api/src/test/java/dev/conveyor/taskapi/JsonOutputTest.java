package dev.conveyor.taskapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.conveyor.contracts.IsoInstant;
import dev.conveyor.devstack.DevstackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(
        value = DevstackResource.class,
        initArgs = @ResourceArg(name = "database", value = "conveyor_tasks"))
class JsonOutputTest {

    @Inject
    ObjectMapper mapper;

    @Test
    void answersWriteTimesWithIsoInstantAfterTheJavaTimeModule() throws Exception {
        assertThat(mapper.getSerializerProviderInstance().findValueSerializer(Instant.class))
                .isInstanceOf(IsoInstant.Serializer.class);
        for (Instant t : new Instant[] {
            Instant.parse("2026-12-05T03:04:05Z"),
            Instant.parse("2026-12-05T03:04:05.120Z"),
            Instant.parse("2026-12-05T03:04:05.123456Z"),
            Instant.parse("1999-01-31T23:59:59.000000001Z")
        }) {
            assertThat(mapper.writeValueAsString(t)).isEqualTo("\"" + t + "\"");
        }
    }

    @Test
    void aTaskAnswersItsTimesAsIsoText() {
        Fixtures.User user = Fixtures.user(10);
        String id = user.createTask("single_image", Map.of("prompt", "times"));
        String createdAt = (String) user.task(id).get("createdAt");
        assertThat(createdAt).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{3}|\\.\\d{6}|\\.\\d{9})?Z");
        assertThat(Instant.parse(createdAt).toString()).isEqualTo(createdAt);
    }
}
