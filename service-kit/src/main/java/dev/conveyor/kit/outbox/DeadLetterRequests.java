package dev.conveyor.kit.outbox;

import dev.conveyor.kit.http.ProblemException;
import dev.conveyor.kit.outbox.OutboxDeadLetters.DeadLetter;
import dev.conveyor.kit.outbox.OutboxDeadLetters.Redriven;
import java.sql.SQLException;
import java.util.List;

/**
 * What the admin dead-letter endpoints answer, written once for every service with an outbox: each service keeps only
 * its annotated JAX-RS resource (path, role, OpenAPI), which calls these. Blocking JDBC: call from a worker thread.
 */
public final class DeadLetterRequests {
    private final OutboxDeadLetters deadLetters;

    public DeadLetterRequests(OutboxDeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    /** A page of dead letters (oldest first); {@code next} is the {@code after} of the next page, null on the last. */
    public record Page(List<DeadLetter> items, Long next) {}

    /** The page after the dead letter id {@code after} (null: the first page); 422 when it is not a non-negative integer. */
    public Page page(String after) throws SQLException {
        List<DeadLetter> items = deadLetters.list(after == null ? 0 : cursor(after));
        Long next = items.size() < OutboxDeadLetters.PAGE
                ? null
                : items.get(items.size() - 1).id();
        return new Page(items, next);
    }

    /** Puts dead letter {@code id} back into the outbox; 404 when there is no such dead letter. */
    public Redriven redrive(String id) throws SQLException {
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
