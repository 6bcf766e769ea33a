package dev.conveyor.generation.api;

import dev.conveyor.kit.outbox.DeadLetterRequests;
import dev.conveyor.kit.outbox.DeadLetterRequests.Page;
import dev.conveyor.kit.outbox.OutboxDeadLetters;
import dev.conveyor.kit.outbox.OutboxDeadLetters.Redriven;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.sql.SQLException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Outbox rows Kafka refused for good: list them, put one back into the outbox. Admin only; blocking JDBC on a worker thread.
 * The answers are service-kit's {@link DeadLetterRequests}, the same in every service. */
@Path("/v1/admin/outbox/dead-letters")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("admin")
@Tag(name = "admin")
public class OutboxAdminResource {
    private final DeadLetterRequests requests;

    public OutboxAdminResource(OutboxDeadLetters deadLetters) {
        this.requests = new DeadLetterRequests(deadLetters);
    }

    @GET
    @Operation(summary = "Outbox dead letters, oldest first, 100 a page (payload cut to a 1,000-character preview)")
    public Page list(@QueryParam("after") String after) throws SQLException {
        return requests.page(after);
    }

    @POST
    @Path("/{id}/redrive")
    @Operation(summary = "Put a dead letter back into the outbox (as a new row, published after the rows waiting now)")
    public Redriven redrive(@PathParam("id") String id) throws SQLException {
        return requests.redrive(id);
    }
}
