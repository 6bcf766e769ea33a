package dev.conveyor.taskapi.api;

import dev.conveyor.kit.http.ProblemException;
import dev.conveyor.taskapi.api.model.ProjectRequest;
import dev.conveyor.taskapi.api.model.StatusCounts;
import dev.conveyor.taskapi.api.model.TaskPage;
import dev.conveyor.taskapi.domain.Project;
import dev.conveyor.taskapi.domain.ProjectService;
import dev.conveyor.taskapi.domain.TaskService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/v1/projects")
@RolesAllowed("user")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "projects")
@SecurityRequirement(name = "jwt")
public class ProjectResource {
    private final ProjectService projects;
    private final TaskService tasks;
    private final JsonWebToken jwt;

    public ProjectResource(ProjectService projects, TaskService tasks, JsonWebToken jwt) {
        this.projects = projects;
        this.tasks = tasks;
        this.jwt = jwt;
    }

    @POST
    @Operation(summary = "Create a project (published on the compacted projects topic)")
    public Uni<Response> create(ProjectRequest req) {
        return projects.create(Ids.user(jwt), req == null ? null : req.name())
                .map(p -> Response.created(URI.create("/v1/projects/" + p.id()))
                        .entity(p)
                        .build());
    }

    @GET
    @Operation(summary = "The caller's projects")
    public Uni<List<Project>> list() {
        return projects.list(Ids.user(jwt));
    }

    @GET
    @Path("/{id}")
    public Uni<Project> get(@PathParam("id") String id) {
        return projects.get(Ids.user(jwt), Ids.parse(id, "project id"));
    }

    @PATCH
    @Path("/{id}")
    @Operation(summary = "Rename a project")
    public Uni<Project> rename(@PathParam("id") String id, ProjectRequest req) {
        return projects.rename(Ids.user(jwt), Ids.parse(id, "project id"), req == null ? null : req.name());
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Delete a project whose tasks are all finished (a tombstone goes to the projects topic)")
    public Uni<Response> delete(@PathParam("id") String id) {
        return projects.delete(Ids.user(jwt), Ids.parse(id, "project id"))
                .map(v -> Response.noContent().build());
    }

    @GET
    @Path("/{id}/tasks")
    @Operation(summary = "The project's tasks, newest first; filters status and taskType; page from 1, limit up to 100")
    public Uni<TaskPage> tasks(
            @PathParam("id") String id,
            @QueryParam("status") String status,
            @QueryParam("taskType") String taskType,
            @QueryParam("page") String page,
            @QueryParam("limit") String limit) {
        return tasks.list(
                Ids.user(jwt),
                Ids.parse(id, "project id"),
                status,
                taskType,
                number(page, "page", 1),
                number(limit, "limit", 20));
    }

    @GET
    @Path("/{id}/task-status-counts")
    @Operation(summary = "Task counts per status, with an ETag; If-None-Match answers 304 when unchanged")
    public Uni<Response> statusCounts(@PathParam("id") String id, @HeaderParam("If-None-Match") String ifNoneMatch) {
        return tasks.statusCounts(Ids.user(jwt), Ids.parse(id, "project id")).map(counts -> {
            EntityTag tag = new EntityTag(etag(counts), true);
            if (ifNoneMatch != null
                    && (ifNoneMatch.contains("\"" + tag.getValue() + "\"")
                            || ifNoneMatch.trim().equals("*"))) {
                return Response.notModified(tag).build();
            }
            return Response.ok(counts).tag(tag).build();
        });
    }

    static String etag(StatusCounts c) {
        String s = c.waiting() + "-" + c.queued() + "-" + c.inProgress() + "-" + c.complete() + "-" + c.failed() + "-"
                + c.cancelled();
        return Integer.toHexString(s.hashCode()) + "-"
                + Long.toHexString(
                        c.waiting() + c.queued() + c.inProgress() + c.complete() + c.failed() + c.cancelled());
    }

    static int number(String value, String name, int fallback) {
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw ProblemException.validation(name + " must be an integer");
        }
    }
}
