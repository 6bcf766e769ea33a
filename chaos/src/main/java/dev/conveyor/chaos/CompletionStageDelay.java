package dev.conveyor.chaos;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs an action after a delay on the common pool's delayed executor (no sleeping thread). */
final class CompletionStageDelay {
    private CompletionStageDelay() {}

    static void after(long millis, Runnable action) {
        CompletableFuture.runAsync(action, CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS));
    }
}
