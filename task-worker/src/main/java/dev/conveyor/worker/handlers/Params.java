package dev.conveyor.worker.handlers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.worker.sdk.PermanentTaskException;
import java.util.UUID;

/** Reads task params; anything invalid is a {@link PermanentTaskException} (retrying cannot fix the input). */
final class Params {
    private Params() {}

    static String text(JsonNode params, String name, String fallback) {
        JsonNode n = params.get(name);
        if (n == null || n.isNull()) {
            if (fallback == null) {
                throw new PermanentTaskException("param " + name + " is required");
            }
            return fallback;
        }
        if (!n.isTextual()) {
            throw new PermanentTaskException("param " + name + " must be a string");
        }
        return n.asText();
    }

    static int integer(JsonNode params, String name, int fallback, int min, int max) {
        JsonNode n = params.get(name);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < min || n.asInt() > max) {
            throw new PermanentTaskException("param " + name + " must be an integer in " + min + ".." + max);
        }
        return n.asInt();
    }

    static long longValue(JsonNode params, String name, long fallback) {
        JsonNode n = params.get(name);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new PermanentTaskException("param " + name + " must be an integer");
        }
        return n.asLong();
    }

    static UUID uuid(JsonNode node, String what) {
        try {
            return UUID.fromString(node.asText());
        } catch (RuntimeException e) {
            throw new PermanentTaskException(what + " must be a UUID");
        }
    }

    /**
     * Simulated GPU time (param {@code work_ms}, 0..600000): lets demos and tests hold a task in progress.
     *
     * <p>It blocks on purpose: it stands for a model call, which holds its thread the way a real handler's GPU work
     * does, so demos and tests load the worker as production does. Handlers run on the worker pool, where blocking is
     * allowed ({@link dev.conveyor.worker.sdk.TaskHandler}), never on an event loop. The wait is cut in slices of at
     * most 50 ms so a cancelled task stops within one slice, and an interrupt (shutdown) ends it at once.
     */
    static void work(dev.conveyor.worker.sdk.TaskContext ctx, long millis, int step, int steps) {
        if (millis <= 0) {
            return;
        }
        long slice = millis / Math.max(1, steps);
        long end = System.nanoTime() + slice * 1_000_000L;
        while (System.nanoTime() < end) {
            ctx.checkCancelled();
            try {
                Thread.sleep(Math.min(50, Math.max(1, (end - System.nanoTime()) / 1_000_000L)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                ctx.checkCancelled();
                throw new dev.conveyor.worker.sdk.TaskCancelledException("interrupted at step " + step);
            }
        }
    }
}
