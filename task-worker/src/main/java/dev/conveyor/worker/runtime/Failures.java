package dev.conveyor.worker.runtime;

import dev.conveyor.worker.client.TaskApiException;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** How the runtime reads a failed task-api call. */
final class Failures {
    private Failures() {}

    /** The failure inside the wrappers a {@code CompletableFuture} adds. */
    static Throwable cause(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }

    /** Network trouble or a 5xx/429/408: the same call may succeed when repeated. */
    static boolean worthRepeating(Throwable cause) {
        return cause instanceof IOException || (cause instanceof TaskApiException t && t.transientError());
    }
}
