package dev.conveyor.taskapi.api;

import dev.conveyor.taskapi.api.model.CreditGrant;
import dev.conveyor.taskapi.api.model.Lead;
import dev.conveyor.taskapi.api.model.LeadRequest;
import dev.conveyor.taskapi.domain.Account;
import dev.conveyor.taskapi.domain.AccountService;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "account")
@SecurityRequirement(name = "jwt")
public class AccountResource {
    private final AccountService accounts;
    private final JsonWebToken jwt;

    public AccountResource(AccountService accounts, JsonWebToken jwt) {
        this.accounts = accounts;
        this.jwt = jwt;
    }

    @GET
    @Path("/account")
    @RolesAllowed("user")
    @Operation(summary = "The caller's credits: balance, held by unfinished tasks, available")
    public Uni<Account> account() {
        return accounts.get(Ids.user(jwt));
    }

    @POST
    @Path("/task-lead")
    @RolesAllowed("user")
    @Operation(
            summary =
                    "take_lead: the caller's client (browser tab) asks to lead task processing; lease 6 s, poll every 5 s")
    public Uni<Lead> takeLead(LeadRequest req) {
        return accounts.takeLead(Ids.user(jwt), req == null ? null : req.clientId());
    }

    @DELETE
    @Path("/task-lead")
    @RolesAllowed("user")
    @Operation(
            summary = "Release the lead early (tab closing): ends the lease if this client holds it and publishes "
                    + "lead.changed; 204 also when another client (or nobody) leads")
    @APIResponse(responseCode = "204", description = "released, or nothing to release")
    @APIResponse(responseCode = "422", description = "validation_failed: clientId missing or blank")
    public Uni<Response> releaseLead(@QueryParam("clientId") String clientId) {
        return accounts.releaseLead(Ids.user(jwt), clientId)
                .map(v -> Response.noContent().build());
    }

    @POST
    @Path("/admin/accounts/{userId}/credits")
    @RolesAllowed("admin")
    @Operation(summary = "Grant credits to a user (the account is created when missing)")
    public Uni<Account> grant(@PathParam("userId") String userId, CreditGrant req) {
        return accounts.grant(Ids.parse(userId, "userId"), req);
    }
}
