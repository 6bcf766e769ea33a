package dev.conveyor.generation.api;

import dev.conveyor.generation.domain.Completion;
import dev.conveyor.generation.domain.GalleryService;
import dev.conveyor.generation.domain.Generation;
import dev.conveyor.generation.domain.Page;
import dev.conveyor.generation.store.GenerationStore;
import dev.conveyor.kit.http.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.UUID;

/** Generations: a project's gallery, one generation, the generations of a task, delete. Owner only. */
@Path("/v1")
@RolesAllowed("user")
@Produces(MediaType.APPLICATION_JSON)
public class GenerationResource {
    private final GalleryService gallery;
    private final Caller caller;

    public GenerationResource(GalleryService gallery, Caller caller) {
        this.gallery = gallery;
        this.caller = caller;
    }

    /**
     * Newest first. {@code shotId}: only generations in that shot; {@code unpositioned=true}: only those without a
     * position there (without shotId: those positioned in no shot); {@code type}: image or video;
     * {@code includeTaskData=true}: include the task params.
     */
    @GET
    @Path("/projects/{projectId}/generations")
    public Uni<Page<Generation>> projectGenerations(
            @PathParam("projectId") String projectId,
            @QueryParam("shotId") String shotId,
            @QueryParam("type") String type,
            @QueryParam("unpositioned") String unpositioned,
            @QueryParam("includeTaskData") String includeTaskData,
            @QueryParam("page") String page,
            @QueryParam("limit") String limit) {
        UUID project = Params.pathId(projectId, "project");
        if (type != null && !Completion.GENERATION_TYPES.contains(type)) {
            throw ProblemException.validation("type must be one of " + Completion.GENERATION_TYPES);
        }
        var filter = new GenerationStore.Filter(
                Params.queryId(shotId, "shotId"), type, Params.bool(unpositioned, "unpositioned"));
        boolean withTaskData = Boolean.TRUE.equals(Params.bool(includeTaskData, "includeTaskData"));
        int pageNumber = Params.intParam(page, "page", 1, 1, 1_000_000);
        int pageSize = Params.intParam(limit, "limit", Params.DEFAULT_LIMIT, 1, Params.MAX_LIMIT);
        return gallery.projectGenerations(caller.userId(), project, filter, pageNumber, pageSize)
                .map(result -> withTaskData
                        ? result
                        : new Page<>(
                                result.items().stream()
                                        .map(Generation::withoutParams)
                                        .toList(),
                                result.page(),
                                result.limit(),
                                result.total()));
    }

    @GET
    @Path("/generations/{id}")
    public Uni<Generation> generation(@PathParam("id") String id) {
        return gallery.generation(caller.userId(), Params.pathId(id, "generation"));
    }

    /** "Did this task make a generation?" — the caller's generations whose task ids include {@code taskId}. */
    @GET
    @Path("/generations")
    public Uni<List<Generation>> generationsOfTask(@QueryParam("taskId") String taskId) {
        UUID task = Params.queryId(taskId, "taskId");
        if (task == null) {
            throw ProblemException.validation("taskId is required");
        }
        return gallery.generationsOfTask(caller.userId(), task);
    }

    @DELETE
    @Path("/generations/{id}")
    public Uni<Response> delete(@PathParam("id") String id) {
        return gallery.deleteGeneration(caller.userId(), Params.pathId(id, "generation"))
                .map(ignored -> Response.noContent().build());
    }
}
