package dev.conveyor.taskapi.domain;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A task type from configuration: routing, cost rule, retry policy, lease and what it produces.
 *
 * @param capability worker capability needed to claim it; null = any worker
 * @param generation image, video or null
 * @param shotPath   dotted path of the shot id inside params, or null
 * @param stringParams params that must be JSON strings when present (e.g. a prompt: a number or object is refused)
 */
public record TaskType(String name, String capability, long costBase, long costPerUnit, String costUnitParam, long maxUnits,
                       List<String> requiredParams, int maxAttempts, Duration backoffBase, Duration backoffCap, Duration lease,
                       String generation, String shotPath, List<String> stringParams) {

    /** What create needs from validated params. */
    public record Checked(long cost, UUID shotId) {
    }

    /** Validates params against this type and prices them; throws {@link ApiException} 422 validation_failed. */
    public Checked check(JsonNode params) {
        if (params == null || !params.isObject()) {
            throw ApiException.validation("params must be a JSON object");
        }
        for (String required : requiredParams) {
            JsonNode v = params.get(required);
            if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
                throw ApiException.validation("params." + required + " is required for " + name);
            }
        }
        for (String text : stringParams) {
            JsonNode v = params.get(text);
            if (v != null && !v.isNull() && !v.isTextual()) {
                throw ApiException.validation("params." + text + " must be a string for " + name);
            }
        }
        long units = 1;
        if (costUnitParam != null && params.has(costUnitParam)) {
            JsonNode v = params.get(costUnitParam);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 1 || v.asLong() > maxUnits) {
                throw ApiException.validation("params." + costUnitParam + " must be an integer from 1 to " + maxUnits);
            }
            units = v.asLong();
        }
        return new Checked(Math.addExact(costBase, Math.multiplyExact(costPerUnit, units)), shotId(params));
    }

    /** The shot id at the type's shot path; a value that is not a UUID is refused. */
    public UUID shotId(JsonNode params) {
        if (shotPath == null || params == null) {
            return null;
        }
        JsonNode node = params;
        for (String part : shotPath.split("\\.")) {
            node = node.get(part);
            if (node == null || node.isNull()) {
                return null;
            }
        }
        if (!node.isTextual()) {
            throw ApiException.validation("params." + shotPath + " must be a UUID string");
        }
        try {
            return UUID.fromString(node.asText());
        } catch (IllegalArgumentException e) {
            throw ApiException.validation("params." + shotPath + " must be a UUID");
        }
    }

    /**
     * Delay before attempt {@code attempts + 1}: {@code d = min(cap, base * 2^(attempts-1))}, plus a random jitter of
     * 0..d/2 on top, never below d (single_image: at least 2 s, then 4 s, 8 s, ... up to 1 min, each up to half again).
     */
    public Duration backoff(int attempts) {
        return backoff(backoffBase, backoffCap, attempts, ThreadLocalRandom.current().nextDouble());
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
