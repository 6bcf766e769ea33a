package dev.conveyor.taskapi.api;

import dev.conveyor.kit.outbox.OutboxDeadLetters;
import dev.conveyor.kit.outbox.OutboxDeadLetters.DeadLetter;
import dev.conveyor.kit.outbox.OutboxDeadLetters.Redriven;
import dev.conveyor.kit.http.ProblemException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.sql.SQLException;
import java.util.List;

/** Outbox rows Kafka refused for good: list them, put one back into the outbox. Admin only; blocking JDBC on a worker thread. */
@Path("/v1/admin/outbox/dead-letters")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed("admin")
@Tag(name = "admin")
@SecurityRequirement(name = "jwt")
public class OutboxAdminResource {
    private final OutboxDeadLetters deadLetters;

    public OutboxAdminResource(OutboxDeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    /** A page of dead letters (oldest first); {@code next} is the {@code after} of the next page, null on the last. */
    public record Page(List<DeadLetter> items, Long next) {
    }

    @GET
    @Operation(summary = "Outbox dead letters, oldest first, 100 a page (payload cut to a 1,000-character preview)")
    public Page list(@QueryParam("after") String after) throws SQLException {
        List<DeadLetter> items = deadLetters.list(after == null ? 0 : cursor(after));
        Long next = items.size() < OutboxDeadLetters.PAGE ? null : items.get(items.size() - 1).id();
        return new Page(items, next);
    }

    @POST
    @Path("/{id}/redrive")
    @Operation(summary = "Put a dead letter back into the outbox (as a new row, published after the rows waiting now)")
    public Redriven redrive(@PathParam("id") String id) throws SQLException {
        long deadLetterId;
        try {
            deadLetterId = Long.parseLong(id);
        } catch (NumberFormatException e) {
            throw ProblemException.notFound("dead letter " + id);
        }
        return deadLetters.redrive(deadLetterId).orElseThrow(() -> ProblemException.notFound("dead letter " + id));
    }

    private static long cursor(String after) {
        try {
            long value = Long.parseLong(after);
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ProblemException.validation("after must be a dead letter id (a non-negative integer)");
    }
}
