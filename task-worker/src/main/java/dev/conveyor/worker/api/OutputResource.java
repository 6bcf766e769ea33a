package dev.conveyor.worker.api;

import dev.conveyor.kit.http.ProblemException;
import dev.conveyor.worker.output.FileSystemOutputStore;
import dev.conveyor.worker.output.OutputStore;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.nio.file.Files;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Serves the files handlers stored in the filesystem output store: {@code GET /v1/outputs/<taskId>/<name>}. */
@Path("/v1/outputs")
public class OutputResource {
    private final FileSystemOutputStore store;

    public OutputResource(FileSystemOutputStore store) {
        this.store = store;
    }

    @GET
    @Path("/{key: .+}")
    @Operation(summary = "A file a handler produced (the task's outputLocation points here)")
    public Response get(@PathParam("key") String key) {
        if (!OutputStore.isValidKey(key)) {
            throw ProblemException.badRequest(
                    "invalid_output_key", "an output key is a relative path of letters, digits, '.', '_' and '-'");
        }
        return store.resolve(key)
                .filter(Files::isRegularFile)
                .map(p -> Response.ok(p.toFile(), OutputStore.contentTypeOf(key))
                        .header("Cache-Control", "public, max-age=31536000, immutable")
                        .build())
                .orElseThrow(() -> ProblemException.notFound("output " + key));
    }
}
