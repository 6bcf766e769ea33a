package dev.conveyor.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class CreditsChangedTest {
    private static final UUID USER = UUID.fromString("00000000-0000-0000-0000-000000000007");

    @Test
    void anEventCoveringSeveralEntriesSurvivesJsonRoundTripWithItsCount() throws Exception {
        CreditsChanged batch = new CreditsChanged(USER, 95, 0, 95, "capture", 15, null, 5);

        CreditsChanged read = Json.MAPPER.readValue(Json.MAPPER.writeValueAsString(batch), CreditsChanged.class);

        assertThat(read).isEqualTo(batch);
        assertThat(read.entries()).isEqualTo(5);
    }

    @Test
    void theOneEntryConstructorCountsOneEntry() {
        UUID task = UUID.randomUUID();

        assertThat(new CreditsChanged(USER, 10, 2, 8, "hold", 2, task))
                .isEqualTo(new CreditsChanged(USER, 10, 2, 8, "hold", 2, task, 1));
    }

    @Test
    void anEventWrittenBeforeTheCountReadsAsZeroEntries() throws Exception {
        String before = "{\"userId\":\"" + USER + "\",\"balance\":10,\"held\":2,\"available\":8,"
                + "\"entryKind\":\"hold\",\"amount\":2,\"taskId\":null}";

        CreditsChanged read = Json.MAPPER.readValue(before, CreditsChanged.class);

        assertThat(read.entries()).isZero();
        assertThat(read.amount()).isEqualTo(2);
    }
}
