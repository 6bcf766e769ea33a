package dev.conveyor.gateway.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DomainTest {

    @Test
    void channelsAndTopicPartsAreEqualByValueAsHashKeys() {
        UUID id = UUID.randomUUID();
        assertThat(Channel.project(id))
                .isEqualTo(Channel.parse("project:" + id))
                .hasSameHashCodeAs(Channel.project(id));
        assertThat(Channel.project(id)).isNotEqualTo(Channel.user(id)).isNotEqualTo(Channel.project(UUID.randomUUID()));
        assertThat(java.util.Set.of(Channel.project(id), Channel.user(id))).contains(Channel.user(id));

        Position.TopicPart part = new Position.TopicPart("task-events", 3);
        assertThat(part)
                .isEqualTo(new Position.TopicPart("task-events", 3))
                .hasSameHashCodeAs(new Position.TopicPart("task-events", 3));
        assertThat(part)
                .isNotEqualTo(new Position.TopicPart("task-events", 2))
                .isNotEqualTo(new Position.TopicPart("generation-events", 3));
    }

    @Test
    void theMinimalCoverDropsDuplicatesAndKeysThatAShorterKeyPrefixes() {
        UUID p = UUID.randomUUID();
        List<CacheKey> cover = KeySets.minimalCover(List.of(
                CacheKey.of("tasks", "paginated", p, 1),
                CacheKey.of("task-status-counts", p),
                CacheKey.of("tasks", "paginated", p, 1),
                CacheKey.of("unified-generations", "shot", "s1"),
                CacheKey.of("unified-generations"),
                CacheKey.of("tasks", "paginated", p)));
        assertThat(cover)
                .containsExactly(
                        CacheKey.of("unified-generations"),
                        CacheKey.of("task-status-counts", p),
                        CacheKey.of("tasks", "paginated", p));
    }

    @Test
    void moreThanEightTaskKeysInOneFrameFoldIntoTheTaskCoveringKey() {
        UUID p = UUID.randomUUID();
        List<CacheKey> folds = Channel.project(p).allKeys();
        List<CacheKey> eight = new java.util.ArrayList<>(List.of(CacheKey.of("tasks", "paginated", p, 1)));
        for (int i = 0; i < KeySets.FOLD_ABOVE; i++) {
            eight.add(CacheKey.of("task", UUID.randomUUID()));
        }
        assertThat(KeySets.cover(eight, folds)).containsExactlyInAnyOrderElementsOf(eight);

        List<CacheKey> nine = new java.util.ArrayList<>(eight);
        nine.add(CacheKey.of("task", UUID.randomUUID()));
        nine.add(CacheKey.of("unified-generations", "shot", UUID.randomUUID()));
        assertThat(KeySets.cover(nine, folds))
                .containsExactlyInAnyOrder(
                        CacheKey.of("task"), CacheKey.of("tasks", "paginated", p, 1), nine.get(nine.size() - 1));
    }

    @Test
    void aKeyCoversOnlyKeysItIsAPrefixOf() {
        assertThat(CacheKey.of("tasks").covers(CacheKey.of("tasks", "paginated")))
                .isTrue();
        assertThat(CacheKey.of("tasks", "paginated").covers(CacheKey.of("tasks")))
                .isFalse();
        assertThat(CacheKey.of("tasks", "x").covers(CacheKey.of("tasks", "paginated")))
                .isFalse();
        assertThat(CacheKey.of("tasks", 1).covers(CacheKey.of("tasks", "1"))).isFalse();
    }

    @Test
    void positionsRoundTripAndRejectAnythingElse() {
        Position position = Position.parse("task-events:3:120,generation-events:3:57");
        assertThat(position.toString()).isEqualTo("generation-events:3:57,task-events:3:120");
        assertThat(Position.parse(position.toString())).isEqualTo(position);
        for (String bad :
                List.of("", "x", "task-events:3", "task-events:a:1", "task-events:1:-1", "t:1:1,t:1:2", "t:1:1,")) {
            assertThatThrownBy(() -> Position.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void channelsAreProjectOrUserWithACanonicalUuid() {
        UUID id = UUID.randomUUID();
        assertThat(Channel.parse("project:" + id)).isEqualTo(Channel.project(id));
        assertThat(Channel.parse("user:" + id).toString()).isEqualTo("user:" + id);
        for (String bad : List.of("project", "project:", "team:" + id, "project:1-1-1-1-1", "project:" + id + "x")) {
            assertThatThrownBy(() -> Channel.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
