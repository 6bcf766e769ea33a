package dev.conveyor.gateway.domain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.CreditsChanged;
import dev.conveyor.contracts.EventEnvelope;
import dev.conveyor.contracts.EventTypes;
import dev.conveyor.contracts.GenerationSnapshot;
import dev.conveyor.contracts.Json;
import dev.conveyor.contracts.LeadChanged;
import dev.conveyor.contracts.ShotChanged;
import dev.conveyor.contracts.ShotGenerationChanged;
import dev.conveyor.contracts.TaskSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The gateway's keys against contracts' cache-keys.json, the list @conveyor/client's keys.* builders are tested
 * against too: a key shape changed on either side fails here.
 */
class CacheKeysContractTest {
    private static final UUID PROJECT = UUID.fromString("00000000-0000-4000-8000-00000000000a");
    private static final UUID USER = UUID.fromString("00000000-0000-4000-8000-00000000000b");
    private static final UUID TASK = UUID.fromString("00000000-0000-4000-8000-00000000000c");
    private static final UUID SHOT = UUID.fromString("00000000-0000-4000-8000-00000000000d");
    private static final Map<String, Object> PARAMS = Map.of(
            "{projectId}",
            PROJECT.toString(),
            "{userId}",
            USER.toString(),
            "{taskId}",
            TASK.toString(),
            "{shotId}",
            SHOT.toString(),
            "{page}",
            1);

    /** Which of the contract's keys each event type invalidates (its parameters are the ids above). */
    private static final Map<String, List<String>> EXPECTED = new LinkedHashMap<>();

    static {
        List<String> status = List.of("taskStatusCounts", "tasksPaginated", "task");
        for (String type : List.of(
                EventTypes.TASK_CREATED,
                EventTypes.TASK_QUEUED,
                EventTypes.TASK_CLAIMED,
                EventTypes.TASK_FAILED,
                EventTypes.TASK_REQUEUED,
                EventTypes.TASK_CANCELLED)) {
            EXPECTED.put(type, status);
        }
        EXPECTED.put(EventTypes.TASK_PROGRESS, List.of("tasksPaginated", "task"));
        EXPECTED.put(EventTypes.TASK_UPDATED, List.of("tasksPaginated", "task"));
        EXPECTED.put(
                EventTypes.TASK_COMPLETED,
                List.of(
                        "taskStatusCounts",
                        "tasksPaginated",
                        "task",
                        "unifiedGenerationsProject",
                        "unifiedGenerationsShot"));
        for (String type :
                List.of(EventTypes.GENERATION_CREATED, EventTypes.GENERATION_UPDATED, EventTypes.GENERATION_DELETED)) {
            EXPECTED.put(
                    type, List.of("unifiedGenerationsProject", "shots", "unifiedGenerationsShot", "unpositionedCount"));
        }
        EXPECTED.put(
                EventTypes.SHOT_GENERATION_CHANGED,
                List.of("unifiedGenerationsProject", "unifiedGenerationsShot", "unpositionedCount"));
        EXPECTED.put(
                EventTypes.SHOT_CHANGED,
                List.of("shots", "unifiedGenerationsProject", "unifiedGenerationsShot", "unpositionedCount"));
        EXPECTED.put(EventTypes.CREDITS_CHANGED, List.of("account"));
        EXPECTED.put(EventTypes.LEAD_CHANGED, List.of("taskLead"));
    }

    private static JsonNode contract() throws IOException {
        try (InputStream in = CacheKeysContractTest.class
                .getClassLoader()
                .getResourceAsStream("dev/conveyor/contracts/cache-keys.json")) {
            assertThat(in)
                    .as("cache-keys.json on the classpath (contracts jar)")
                    .isNotNull();
            return Json.MAPPER.readTree(in);
        }
    }

    /** A contract template with its parameters filled in. */
    private static CacheKey instantiate(JsonNode template) {
        List<Object> parts = new ArrayList<>();
        for (JsonNode part : template) {
            String text = part.asText();
            parts.add(text.startsWith("{") ? PARAMS.get(text) : text);
        }
        assertThat(parts)
                .as("every parameter of %s is known to this test", template)
                .doesNotContainNull();
        return new CacheKey(parts);
    }

    @Test
    void everyEventTypeInvalidatesExactlyTheContractsKeys() throws IOException {
        JsonNode keys = contract().get("keys");
        TreeSet<String> used = new TreeSet<>();
        for (Map.Entry<String, List<String>> expected : EXPECTED.entrySet()) {
            List<CacheKey> want = expected.getValue().stream()
                    .map(name -> {
                        assertThat(keys.has(name))
                                .as("cache-keys.json names %s", name)
                                .isTrue();
                        return instantiate(keys.get(name));
                    })
                    .toList();
            used.addAll(expected.getValue());
            Change change = KeyMapper.map(event(expected.getKey())).orElseThrow();
            assertThat(change.keys()).as(expected.getKey()).containsExactlyInAnyOrderElementsOf(want);
        }
        // and the contract names no key the gateway never sends
        TreeSet<String> named = new TreeSet<>();
        keys.fieldNames().forEachRemaining(named::add);
        assertThat(used).isEqualTo(named);
    }

    @Test
    void resetCarriesExactlyTheContractsCoveringKeys() throws IOException {
        JsonNode covering = contract().get("covering");
        assertThat(Channel.project(PROJECT).allKeys()).containsExactlyElementsOf(templates(covering.get("project")));
        assertThat(Channel.user(USER).allKeys()).containsExactlyElementsOf(templates(covering.get("user")));
    }

    @Test
    void everyKeyAnEventCanCauseLiesUnderOneOfItsChannelsCoveringKeys() {
        for (String type : EXPECTED.keySet()) {
            Change change = KeyMapper.map(event(type)).orElseThrow();
            for (CacheKey key : change.keys()) {
                assertThat(change.channel().allKeys()).as("%s: %s", type, key).anyMatch(c -> c.covers(key));
            }
        }
    }

    private static List<CacheKey> templates(JsonNode list) {
        List<CacheKey> out = new ArrayList<>();
        list.forEach(t -> out.add(instantiate(t)));
        return out;
    }

    private static EventEnvelope event(String type) {
        Object data = switch (type) {
            case EventTypes.GENERATION_CREATED, EventTypes.GENERATION_UPDATED, EventTypes.GENERATION_DELETED ->
                new GenerationSnapshot(
                        UUID.randomUUID(),
                        PROJECT,
                        "image",
                        "http://x/g.png",
                        List.of(TASK),
                        List.of(new GenerationSnapshot.ShotLink(SHOT, 1)),
                        null,
                        Instant.now());
            case EventTypes.SHOT_GENERATION_CHANGED ->
                new ShotGenerationChanged(SHOT, UUID.randomUUID(), PROJECT, true, 1);
            case EventTypes.SHOT_CHANGED -> new ShotChanged(SHOT, PROJECT, "s", true);
            case EventTypes.CREDITS_CHANGED -> new CreditsChanged(USER, 10, 0, 10, "grant", 10, null);
            case EventTypes.LEAD_CHANGED -> new LeadChanged(USER, "tab", Instant.now());
            default ->
                new TaskSnapshot(
                        TASK,
                        PROJECT,
                        USER,
                        "single_image",
                        "queued",
                        0,
                        1,
                        1,
                        3,
                        null,
                        null,
                        null,
                        "image",
                        SHOT,
                        null,
                        null,
                        null,
                        null,
                        null,
                        List.of(),
                        null,
                        Instant.now(),
                        Instant.now(),
                        null);
        };
        boolean account = type.equals(EventTypes.CREDITS_CHANGED) || type.equals(EventTypes.LEAD_CHANGED);
        return EventEnvelope.of(
                type, "test", account ? USER.toString() : TASK.toString(), account ? null : PROJECT, USER, data);
    }
}
