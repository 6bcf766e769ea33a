package dev.conveyor.taskapi.domain;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.kit.http.ProblemException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A task type from configuration: routing, cost rule, retry policy, lease, what it produces and what it spawns.
 *
 * @param capability    worker capability needed to claim it; null = any worker
 * @param costUnitParam dotted path of the priced param: an integer, or an array whose length is the unit count
 * @param generation    image, video or null
 * @param shotPath      dotted path of the shot id inside params, or null
 * @param stringParams  params that must be JSON strings when present (e.g. a prompt: a number or object is refused)
 * @param spawns        the children its handler creates (a pipeline); {@link Spawns#NONE} for a plain task
 */
public record TaskType(
        String name,
        String capability,
        long costBase,
        long costPerUnit,
        String costUnitParam,
        long maxUnits,
        List<String> requiredParams,
        int maxAttempts,
        Duration backoffBase,
        Duration backoffCap,
        Duration lease,
        String generation,
        String shotPath,
        List<String> stringParams,
        Spawns spawns) {

    /** One line of a price: {@code count} tasks of {@code taskType} costing {@code cost} together. */
    public record Part(String taskType, long count, long cost) {}

    /**
     * What a pipeline type's handler creates as children: one {@code perUnitType} per unit of the priced param and one
     * of each {@code once} type. Each spawned type has a flat price (checked at start), so the pipeline's price is exact.
     */
    public record Spawns(String perUnitType, long perUnitCost, List<Part> once) {
        public static final Spawns NONE = new Spawns(null, 0, List.of());

        boolean any() {
            return perUnitType != null || !once.isEmpty();
        }
    }

    /**
     * What create needs from validated params: the whole cost (the task's own price plus, for a pipeline, every child it
     * will spawn), its own part, and the price lines ({@code parts}: this type first, then the spawned types).
     */
    public record Checked(long cost, long ownCost, UUID shotId, List<Part> parts) {
        /** The part of the cost held for children not created yet. */
        public long spawnBudget() {
            return cost - ownCost;
        }
    }

    /** Validates params against this type and prices them; throws {@link ProblemException} 422 validation_failed. */
    public Checked check(JsonNode params) {
        if (params == null || !params.isObject()) {
            throw ProblemException.validation("params must be a JSON object");
        }
        for (String required : requiredParams) {
            JsonNode v = at(params, required);
            if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
                throw ProblemException.validation("params." + required + " is required for " + name);
            }
        }
        for (String text : stringParams) {
            JsonNode v = at(params, text);
            if (v != null && !v.isNull() && !v.isTextual()) {
                throw ProblemException.validation("params." + text + " must be a string for " + name);
            }
        }
        long units = units(params);
        long own = Math.addExact(costBase, Math.multiplyExact(costPerUnit, units));
        List<Part> parts = new ArrayList<>();
        parts.add(new Part(name, 1, own));
        long cost = own;
        if (spawns.perUnitType() != null) {
            long perUnit = Math.multiplyExact(spawns.perUnitCost(), units);
            parts.add(new Part(spawns.perUnitType(), units, perUnit));
            cost = Math.addExact(cost, perUnit);
        }
        for (Part once : spawns.once()) {
            parts.add(once);
            cost = Math.addExact(cost, once.cost());
        }
        return new Checked(cost, own, shotId(params), List.copyOf(parts));
    }

    /** The priced param's unit count: the integer, or the array's length; 1 when absent. */
    private long units(JsonNode params) {
        if (costUnitParam == null) {
            return 1;
        }
        JsonNode v = at(params, costUnitParam);
        if (v == null || v.isNull()) {
            return 1;
        }
        if (v.isArray()) {
            if (v.isEmpty() || v.size() > maxUnits) {
                throw ProblemException.validation("params." + costUnitParam + " must list 1 to " + maxUnits + " items");
            }
            return v.size();
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 1 || v.asLong() > maxUnits) {
            throw ProblemException.validation("params." + costUnitParam + " must be an integer from 1 to " + maxUnits);
        }
        return v.asLong();
    }

    /** The value at a dotted path inside params; null when a step is missing or not an object. */
    static JsonNode at(JsonNode params, String path) {
        JsonNode node = params;
        for (String part : path.split("\\.")) {
            if (node == null || !node.isObject()) {
                return null;
            }
            node = node.get(part);
        }
        return node;
    }

    /** True when this type's handler spawns children priced into its own create. */
    public boolean isPipeline() {
        return spawns.any();
    }

    /** The shot id at the type's shot path; a value that is not a UUID is refused. */
    public UUID shotId(JsonNode params) {
        if (shotPath == null || params == null) {
            return null;
        }
        JsonNode node = at(params, shotPath);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ProblemException.validation("params." + shotPath + " must be a UUID string");
        }
        try {
            return UUID.fromString(node.asText());
        } catch (IllegalArgumentException e) {
            throw ProblemException.validation("params." + shotPath + " must be a UUID");
        }
    }

    /**
     * Delay before attempt {@code attempts + 1}: {@code d = min(cap, base * 2^(attempts-1))}, plus a random jitter of
     * 0..d/2 on top, never below d (single_image: at least 2 s, then 4 s, 8 s, ... up to 1 min, each up to half again).
     */
    public Duration backoff(int attempts) {
        return backoff(
                backoffBase, backoffCap, attempts, ThreadLocalRandom.current().nextDouble());
    }

    /** The rule itself, with the random draw {@code random} in [0, 1) given. */
    static Duration backoff(Duration base, Duration cap, int attempts, double random) {
        long capMs = cap.toMillis();
        int shift = Math.max(0, Math.min(attempts - 1, 30));
        long delay = base.toMillis() << shift;
        if (delay < 0 || delay > capMs || (shift > 0 && delay >> shift != base.toMillis())) {
            delay = capMs;
        }
        long jitter = (long) Math.floor(Math.max(0, Math.min(random, 1)) * (delay / 2 + 1));
        return Duration.ofMillis(delay + Math.min(jitter, delay / 2));
    }
}
