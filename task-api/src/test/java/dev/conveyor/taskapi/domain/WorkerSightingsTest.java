package dev.conveyor.taskapi.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When a claim may skip recording its worker (pure): only for the same capabilities and types, within 5 s. */
class WorkerSightingsTest {
    private static final String[] CAPS = {"image"};
    private static final String[] TYPES = {"single_image"};

    @Test
    void aWorkerRecordedMomentsAgoWithTheSameCapabilitiesIsFreshUntilFiveSecondsHavePassed() {
        WorkerSightings sightings = new WorkerSightings();
        assertThat(sightings.isFresh("w1", CAPS, TYPES, 0)).isFalse();
        sightings.recorded("w1", CAPS, TYPES, 0);
        assertThat(sightings.isFresh("w1", new String[] {"image"}, new String[] {"single_image"}, 4_999_999_999L))
                .isTrue();
        assertThat(sightings.isFresh("w1", CAPS, TYPES, WorkerSightings.FRESH_NANOS))
                .isFalse();
        assertThat(sightings.isFresh("w2", CAPS, TYPES, 1)).isFalse();
    }

    @Test
    void newCapabilitiesOrTaskTypesAreNeverFresh() {
        WorkerSightings sightings = new WorkerSightings();
        sightings.recorded("w1", CAPS, TYPES, 0);
        assertThat(sightings.isFresh("w1", new String[] {"image", "video"}, TYPES, 1))
                .isFalse();
        assertThat(sightings.isFresh("w1", CAPS, new String[] {"single_image", "video"}, 1))
                .isFalse();
    }
}
