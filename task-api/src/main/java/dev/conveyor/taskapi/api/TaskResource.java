package dev.conveyor.taskapi.api;

import dev.conveyor.kit.http.ProblemException;
import dev.conveyor.taskapi.api.model.CreateTask;
import dev.conveyor.taskapi.api.model.CreateTasks;
import dev.conveyor.taskapi.api.model.Estimate;
import dev.conveyor.taskapi.api.model.EstimateRequest;
import dev.conveyor.taskapi.api.model.TaskPage;
import dev.conveyor.taskapi.domain.Task;
import dev.conveyor.taskapi.domain.TaskBatchService;
import dev.conveyor.taskapi.domain.TaskControlService;
import dev.conveyor.taskapi.domain.TaskInput;
import dev.conveyor.taskapi.domain.TaskListing;
import dev.conveyor.taskapi.domain.TaskService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/v1/tasks")
@RolesAllowed("user")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "tasks")
@SecurityRequirement(name = "jwt")
public class TaskResource {
    private final TaskService tasks;
    private final TaskInput input;
    private final TaskBatchService batches;
    private final TaskListing listing;
    private final TaskControlService control;
    private final JsonWebToken jwt;

    public TaskResource(
            TaskService tasks,
            TaskInput input,
            TaskBatchService batches,
            TaskListing listing,
            TaskControlService control,
            JsonWebToken jwt) {
        this.tasks = tasks;
        this.input = input;
        this.batches = batches;
        this.listing = listing;
        this.control = control;
        this.jwt = jwt;
    }

    @GET
    @Operation(
            summary = "The caller's tasks across all their projects, newest first; status is a comma list "
                    + "(e.g. waiting,queued,in_progress); page from 1, limit up to 100")
    @APIResponse(responseCode = "200", description = "{items, page, limit, total}")
    @APIResponse(responseCode = "422", description = "validation_failed: an unknown status, page or limit out of range")
    public Uni<TaskPage> list(
            @QueryParam("status") String status, @QueryParam("page") String page, @QueryParam("limit") String limit) {
        return listing.list(
                Ids.user(jwt),
                status,
                ProjectResource.number(page, "page", 1),
                ProjectResource.number(limit, "limit", 20));
    }

    @POST
    @Operation(
            summary =
                    "Create a task: validates params against the type, holds its cost, queues it (or waits on dependsOn)")
    @APIResponse(responseCode = "201", description = "created")
    @APIResponse(
            responseCode = "200",
            description = "replay of an earlier create with the same idempotencyKey (header Idempotent-Replayed: true)")
    @APIResponse(responseCode = "402", description = "insufficient_credits")
    @APIResponse(responseCode = "422", description = "validation_failed, unknown_task_type, dependency_failed")
    public Uni<Response> create(CreateTask req) {
        return tasks.create(Ids.user(jwt), req)
                .map(created -> created.replayed()
                        ? Response.ok(created.task())
                                .header("Idempotent-Replayed", "true")
                                .build()
                        : Response.created(
                                        URI.create("/v1/tasks/" + created.task().id()))
                                .entity(created.task())
                                .build());
    }

    @POST
    @Path("/batch")
    @Operation(
            summary =
                    "Create 1..100 tasks in one transaction, all or none: each item is checked and held like a single create")
    @APIResponse(
            responseCode = "201",
            description = "created (items in request order; replayed items answer the earlier task)")
    @APIResponse(
            responseCode = "200",
            description = "every item was a replay of an earlier create with the same idempotencyKey")
    @APIResponse(responseCode = "402", description = "insufficient_credits (detail names the item); nothing created")
    @APIResponse(
            responseCode = "422",
            description = "validation_failed, unknown_task_type, dependency_failed (detail names the item)")
    public Uni<Response> createBatch(CreateTasks req) {
        return batches.create(Ids.user(jwt), req)
                .map(created -> Response.status(
                                created.items().stream().allMatch(TaskService.Created::replayed) ? 200 : 201)
                        .entity(created)
                        .build());
    }

    @POST
    @Path("/estimate")
    @Operation(
            summary =
                    "The cost a create with these params would hold: for a pipeline type (travel_orchestrator) the "
                            + "whole pipeline's, with a breakdown per task type (the task itself, then the children it will create)")
    public Estimate estimate(EstimateRequest req) {
        if (req == null) {
            throw ProblemException.validation("a JSON body is required");
        }
        Ids.user(jwt);
        var checked = input.estimate(req.taskType(), req.params());
        return new Estimate(req.taskType(), checked.cost(), checked.parts());
    }

    @GET
    @Path("/{id}")
    public Uni<Task> get(@PathParam("id") String id) {
        return tasks.get(Ids.user(jwt), Ids.parse(id, "task id"));
    }

    @GET
    @Path("/{id}/children")
    @Operation(summary = "Tasks created with parentTaskId = this task, oldest first")
    public Uni<List<Task>> children(@PathParam("id") String id) {
        return tasks.children(Ids.user(jwt), Ids.parse(id, "task id"));
    }

    @POST
    @Path("/{id}/cancel")
    @Operation(
            summary =
                    "Cancel a waiting, queued or running task and every unfinished task below it (holds released); "
                            + "for a finished task, only what still runs below it; 409 task_final when nothing is left to cancel")
    public Uni<Task> cancel(@PathParam("id") String id) {
        return control.cancel(Ids.user(jwt), Ids.parse(id, "task id"));
    }

    @POST
    @Path("/{id}/retry")
    @Operation(
            summary = "Retry a failed or cancelled task: credits are held again (for a pipeline, also the cost of the "
                    + "children below it that did not complete, which it re-creates), attempts restart")
    public Uni<Task> retry(@PathParam("id") String id) {
        return control.retry(Ids.user(jwt), Ids.parse(id, "task id"));
    }
}
