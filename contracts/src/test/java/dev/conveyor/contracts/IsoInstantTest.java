package dev.conveyor.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.datatype.jsr310.ser.InstantSerializer;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IsoInstantTest {

    @Test
    void writesWhatInstantToStringWritesForTheEdgesOfEachPart() {
        for (Instant t : List.of(
                Instant.EPOCH,
                Instant.parse("1970-01-01T00:00:00.000000001Z"),
                Instant.parse("1969-12-31T23:59:59.999999999Z"),
                Instant.parse("2026-12-05T00:46:00Z"),
                Instant.parse("2026-12-05T00:46:50.5Z"),
                Instant.parse("2026-12-05T00:46:50.556Z"),
                Instant.parse("2026-12-05T00:46:50.556676Z"),
                Instant.parse("2026-12-05T00:46:50.556676001Z"),
                Instant.parse("2026-12-05T00:46:50.000001Z"),
                Instant.parse("2024-02-29T23:59:59.100Z"),
                Instant.parse("0000-01-01T00:00:00Z"),
                Instant.parse("0001-03-01T12:00:00.010Z"),
                Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("-0001-12-31T23:59:59Z"),
                Instant.MIN,
                Instant.MAX)) {
            assertThat(IsoInstant.format(t)).as(t.toString()).isEqualTo(t.toString());
        }
    }

    @Test
    void writesWhatInstantToStringWritesForRandomInstantsAtEveryPrecision() {
        Random random = new Random(15);
        long first = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
        long last = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 100_000; i++) {
            long seconds = first + (long) (random.nextDouble() * (last - first + 1));
            int nano = random.nextInt(1_000_000_000);
            nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> nano / 1_000_000 * 1_000_000;
                case 2 -> nano / 1_000 * 1_000;
                default -> nano;
            };
            Instant t = Instant.ofEpochSecond(seconds, nano);
            assertThat(IsoInstant.format(t)).isEqualTo(t.toString());
        }
    }

    @Test
    void theEventMapperWritesInstantsWithItAsTheTimeModuleWould() throws Exception {
        Instant t = Instant.parse("2026-12-05T00:46:50.556676Z");

        assertThat(Json.MAPPER.writeValueAsString(t)).isEqualTo("\"" + t + "\"");
        assertThat(Json.MAPPER.getSerializerProviderInstance().findValueSerializer(Instant.class))
                .isInstanceOf(IsoInstant.Serializer.class)
                .isNotInstanceOf(InstantSerializer.class);
        assertThat(Json.MAPPER.readValue(Json.MAPPER.writeValueAsString(t), Instant.class))
                .isEqualTo(t);
    }
}
