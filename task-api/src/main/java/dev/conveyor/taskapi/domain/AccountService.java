package dev.conveyor.taskapi.domain;

import dev.conveyor.kit.http.ProblemException;
import dev.conveyor.taskapi.api.model.CreditGrant;
import dev.conveyor.taskapi.api.model.Lead;
import dev.conveyor.taskapi.config.ConveyorConfig;
import dev.conveyor.taskapi.store.AccountStore;
import dev.conveyor.taskapi.store.LeadStore;
import dev.conveyor.taskapi.store.OutboxStore;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/** Accounts, admin credit grants and the per-user task-processing lease. */
@ApplicationScoped
public class AccountService {
    public static final long MAX_GRANT = 1_000_000_000L;

    private final Pool pool;
    private final AccountStore accounts;
    private final LeadStore leads;
    private final OutboxStore outbox;
    private final ConveyorConfig config;

    public AccountService(
            Pool pool, AccountStore accounts, LeadStore leads, OutboxStore outbox, ConveyorConfig config) {
        this.pool = pool;
        this.accounts = accounts;
        this.leads = leads;
        this.outbox = outbox;
        this.config = config;
    }

    public Uni<Account> get(UUID userId) {
        return pool.withConnection(c -> accounts.find(c, userId))
                .map(a -> a == null ? new Account(userId, 0, 0, 0) : a);
    }

    /** Adds credits (creating the account when missing): a grant ledger entry and credits.changed. */
    public Uni<Account> grant(UUID userId, CreditGrant req) {
        if (req == null || req.amount() == null) {
            throw ProblemException.validation("amount is required");
        }
        if (req.amount() < 1 || req.amount() > MAX_GRANT) {
            throw ProblemException.validation("amount must be from 1 to " + MAX_GRANT);
        }
        if (req.reason() != null && req.reason().length() > 500) {
            throw ProblemException.validation("reason must be at most 500 characters");
        }
        long amount = req.amount();
        return pool.withTransaction(c -> accounts.grant(c, userId, amount)
                .chain(account -> accounts.ledger(c, userId, "grant", amount, null, req.reason())
                        .chain(() -> outbox.insert(c, List.of(Events.credits(account, "grant", amount, null))))
                        .replaceWith(account)));
    }

    /**
     * Releases the lease early when this client holds it, publishing {@code lead.changed} with no leader in the same
     * transaction, so the user's other clients can take it at once; a no-op when another client (or nobody) leads.
     */
    public Uni<Void> releaseLead(UUID userId, String clientId) {
        checkClientId(clientId);
        return pool.withTransaction(c -> leads.release(c, userId, clientId)
                .chain(released -> released
                        ? outbox.insert(c, List.of(Events.lead(userId, null, null)))
                                .replaceWithVoid()
                        : Uni.createFrom().voidItem()));
    }

    private static void checkClientId(String clientId) {
        if (clientId == null || clientId.isBlank() || clientId.length() > 200) {
            throw ProblemException.validation("clientId is required (at most 200 characters)");
        }
    }

    /** take_lead: see {@link LeadStore#takeLead}; lead.changed only when the leading client changes. */
    public Uni<Lead> takeLead(UUID userId, String clientId) {
        checkClientId(clientId);
        return pool.withTransaction(c -> leads.takeLead(c, userId, clientId, config.leadLease())
                .chain(o -> {
                    Lead lead = new Lead(o.leader(), o.holder(), o.expiresAt());
                    if (o.leader() && !Objects.equals(o.previousHolder(), o.holder())) {
                        return outbox.insert(c, List.of(Events.lead(userId, o.holder(), o.expiresAt())))
                                .replaceWith(lead);
                    }
                    return Uni.createFrom().item(lead);
                }));
    }
}
