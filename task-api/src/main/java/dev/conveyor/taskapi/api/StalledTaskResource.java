package dev.conveyor.taskapi.api;

import dev.conveyor.taskapi.domain.StalledTasks;
import dev.conveyor.taskapi.domain.StalledTasks.StalledPage;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Operators: queued tasks no worker can claim (docs/rest.md, "Admin"). */
@Path("/v1/admin/stalled-tasks")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin")
@SecurityRequirement(name = "jwt")
public class StalledTaskResource {
    private final StalledTasks stalled;

    public StalledTaskResource(StalledTasks stalled) {
        this.stalled = stalled;
    }

    @GET
    @Operation(
            summary =
                    "Queued tasks that no worker seen within conveyor.stalled.after can claim: count and oldest createdAt "
                            + "per type, and a page of the tasks (oldest first); taskType filters the page")
    public Uni<StalledPage> list(
            @QueryParam("taskType") String taskType,
            @QueryParam("page") String page,
            @QueryParam("limit") String limit) {
        return stalled.list(
                taskType, ProjectResource.number(page, "page", 1), ProjectResource.number(limit, "limit", 20));
    }
}
