package dev.conveyor.taskapi.api;

import dev.conveyor.taskapi.api.model.ClaimRequest;
import dev.conveyor.taskapi.api.model.Claimed;
import dev.conveyor.taskapi.api.model.Complete;
import dev.conveyor.taskapi.api.model.CompleteBatch;
import dev.conveyor.taskapi.api.model.CompleteResults;
import dev.conveyor.taskapi.api.model.CreateChild;
import dev.conveyor.taskapi.api.model.CreateChildren;
import dev.conveyor.taskapi.api.model.CreatedTasks;
import dev.conveyor.taskapi.api.model.Fail;
import dev.conveyor.taskapi.api.model.Heartbeat;
import dev.conveyor.taskapi.api.model.HeartbeatAnswer;
import dev.conveyor.taskapi.api.model.Release;
import dev.conveyor.taskapi.domain.ChildTaskService;
import dev.conveyor.taskapi.domain.ClaimService;
import dev.conveyor.taskapi.domain.CompletionService;
import dev.conveyor.taskapi.domain.LeaseService;
import dev.conveyor.taskapi.domain.ReleaseService;
import dev.conveyor.taskapi.domain.Task;
import dev.conveyor.taskapi.domain.TaskService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The worker protocol (docs/worker-protocol.md). */
@Path("/v1/worker")
@RolesAllowed("worker")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "worker protocol")
@SecurityRequirement(name = "jwt")
public class WorkerResource {
    private final ClaimService claims;
    private final LeaseService leases;
    private final CompletionService completions;
    private final ReleaseService releases;
    private final ChildTaskService children;
    private final TaskService tasks;

    public WorkerResource(
            ClaimService claims,
            LeaseService leases,
            CompletionService completions,
            ReleaseService releases,
            ChildTaskService children,
            TaskService tasks) {
        this.claims = claims;
        this.leases = leases;
        this.completions = completions;
        this.releases = releases;
        this.children = children;
        this.tasks = tasks;
    }

    @POST
    @Path("/claim")
    @Operation(
            summary =
                    "Claim up to max queued tasks this worker can run (its capabilities' types, only those in taskTypes when "
                            + "given); waits up to waitSeconds (0..30) for one to arrive")
    public Uni<Claimed> claim(ClaimRequest req) {
        RequestLimits.capabilities(req == null ? null : req.capabilities());
        return claims.claim(req).map(Claimed::new);
    }

    @POST
    @Path("/tasks/{id}/heartbeat")
    @Operation(summary = "Extend the lease and report progress; cancelled=true tells the worker to stop")
    public Uni<HeartbeatAnswer> heartbeat(@PathParam("id") String id, Heartbeat req) {
        return leases.heartbeat(Ids.parse(id, "task id"), req);
    }

    @POST
    @Path("/tasks/{id}/complete")
    @Operation(
            summary =
                    "Complete with the output location and metadata; a repeat with the same lease token changes nothing")
    public Uni<Task> complete(@PathParam("id") String id, Complete req) {
        RequestLimits.metadata(req == null ? null : req.metadata(), "metadata");
        return completions.complete(Ids.parse(id, "task id"), req);
    }

    @POST
    @Path("/complete")
    @Operation(
            summary =
                    "Complete 1..100 leased tasks in one transaction; each item answered on its own: complete, lease_lost "
                            + "or task_not_found (a refused item does not undo the others); a repeat with the same lease tokens changes nothing")
    public Uni<CompleteResults> completeBatch(CompleteBatch req) {
        RequestLimits.metadata(req == null ? null : req.tasks());
        return completions.complete(req);
    }

    @POST
    @Path("/tasks/{id}/fail")
    @Operation(summary = "Fail the attempt: retryable -> queued after a backoff (while attempts remain), else failed")
    public Uni<Task> fail(@PathParam("id") String id, Fail req) {
        return leases.fail(Ids.parse(id, "task id"), req);
    }

    @POST
    @Path("/tasks/{id}/release")
    @Operation(
            summary =
                    "Hand the task back without penalty: queued at once, the attempt not counted, credits still held; "
                            + "a repeat with the same lease token changes nothing")
    @APIResponse(responseCode = "200", description = "the task, queued")
    @APIResponse(responseCode = "404", description = "not_found")
    @APIResponse(responseCode = "409", description = "lease_lost: not this worker's current lease")
    public Uni<Task> release(@PathParam("id") String id, Release req) {
        return releases.release(Ids.parse(id, "task id"), req);
    }

    @POST
    @Path("/tasks/{id}/children")
    @Operation(
            summary = "Create a child of the task this worker leases (same project and user; its cost drawn from what "
                    + "the parent's create held for its children)")
    @APIResponse(responseCode = "201", description = "created")
    @APIResponse(
            responseCode = "200",
            description = "replay: a child with this idempotencyKey already exists under the parent")
    @APIResponse(
            responseCode = "402",
            description = "pipeline_budget_exceeded: the parent's spawn budget has less left than the child costs")
    @APIResponse(responseCode = "404", description = "not_found: unknown parent")
    @APIResponse(responseCode = "409", description = "lease_lost: the caller does not hold the parent's live lease")
    @APIResponse(responseCode = "422", description = "validation_failed, unknown_task_type, dependency_failed")
    public Uni<Response> createChild(@PathParam("id") String id, CreateChild req) {
        return children.createChild(Ids.parse(id, "task id"), req)
                .map(created -> created.replayed()
                        ? Response.ok(created.task())
                                .header("Idempotent-Replayed", "true")
                                .build()
                        : Response.created(URI.create(
                                        "/v1/worker/tasks/" + created.task().id()))
                                .entity(created.task())
                                .build());
    }

    @POST
    @Path("/tasks/{id}/children/batch")
    @Operation(
            summary =
                    "Create 1..100 children of the task this worker leases in one transaction, all or none; an item may "
                            + "depend on earlier items (dependsOnItems)")
    @APIResponse(
            responseCode = "201",
            description = "created (items in request order; replayed items answer the existing child)")
    @APIResponse(responseCode = "200", description = "every item was a replay of an existing child's idempotencyKey")
    @APIResponse(
            responseCode = "402",
            description = "pipeline_budget_exceeded (detail names the item); nothing created")
    @APIResponse(responseCode = "409", description = "lease_lost: the caller does not hold the parent's live lease")
    @APIResponse(
            responseCode = "422",
            description = "validation_failed, unknown_task_type, dependency_failed (detail names the item)")
    public Uni<Response> createChildren(@PathParam("id") String id, CreateChildren req) {
        return children.createChildren(Ids.parse(id, "task id"), req)
                .map(created -> Response.status(created.stream().allMatch(TaskService.Created::replayed) ? 200 : 201)
                        .entity(new CreatedTasks(created))
                        .build());
    }

    @GET
    @Path("/tasks/{id}")
    @Operation(summary = "Read any task (for example one this worker's task depends on)")
    public Uni<Task> get(@PathParam("id") String id) {
        return tasks.getAny(Ids.parse(id, "task id"));
    }
}
