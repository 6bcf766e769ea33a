package dev.conveyor.generation.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.generation.domain.GalleryService;
import dev.conveyor.generation.domain.Generation;
import dev.conveyor.generation.domain.Shot;
import dev.conveyor.generation.domain.ShotGeneration;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Map;

/** Shots of a project and the generations placed in them. Owner only. */
@Path("/v1")
@RolesAllowed("user")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ShotResource {
    private final GalleryService gallery;
    private final Caller caller;

    public ShotResource(GalleryService gallery, Caller caller) {
        this.gallery = gallery;
        this.caller = caller;
    }

    @POST
    @Path("/projects/{projectId}/shots")
    public Uni<Response> create(@PathParam("projectId") String projectId, JsonNode body) {
        String name = Params.name(body);
        return gallery.createShot(caller.userId(), Params.pathId(projectId, "project"), name)
                .map(shot -> Response.created(URI.create("/v1/shots/" + shot.id()))
                        .entity(shot)
                        .build());
    }

    @GET
    @Path("/projects/{projectId}/shots")
    public Uni<List<Shot>> list(@PathParam("projectId") String projectId) {
        return gallery.shots(caller.userId(), Params.pathId(projectId, "project"));
    }

    @PATCH
    @Path("/shots/{id}")
    public Uni<Shot> rename(@PathParam("id") String id, JsonNode body) {
        String name = Params.name(body);
        return gallery.renameShot(caller.userId(), Params.pathId(id, "shot"), name);
    }

    @DELETE
    @Path("/shots/{id}")
    public Uni<Response> delete(@PathParam("id") String id) {
        return gallery.deleteShot(caller.userId(), Params.pathId(id, "shot"))
                .map(ignored -> Response.noContent().build());
    }

    /** By position, unpositioned last; each item is a Generation plus its {@code position} in this shot. */
    @GET
    @Path("/shots/{id}/generations")
    public Uni<List<ShotGeneration>> generations(@PathParam("id") String id) {
        return gallery.shotGenerations(caller.userId(), Params.pathId(id, "shot"));
    }

    /** Places the generation in the shot at {@code position} (null = unpositioned); answers the generation. */
    @PUT
    @Path("/shots/{id}/generations/{generationId}")
    public Uni<Generation> place(
            @PathParam("id") String id, @PathParam("generationId") String generationId, JsonNode body) {
        Integer position = Params.position(body);
        return gallery.place(
                caller.userId(), Params.pathId(id, "shot"), Params.pathId(generationId, "generation"), position);
    }

    @DELETE
    @Path("/shots/{id}/generations/{generationId}")
    public Uni<Response> remove(@PathParam("id") String id, @PathParam("generationId") String generationId) {
        return gallery.unlink(caller.userId(), Params.pathId(id, "shot"), Params.pathId(generationId, "generation"))
                .map(ignored -> Response.noContent().build());
    }

    @GET
    @Path("/shots/{id}/unpositioned-count")
    public Uni<Map<String, Long>> unpositionedCount(@PathParam("id") String id) {
        return gallery.unpositionedCount(caller.userId(), Params.pathId(id, "shot"))
                .map(count -> Map.of("count", count));
    }
}
