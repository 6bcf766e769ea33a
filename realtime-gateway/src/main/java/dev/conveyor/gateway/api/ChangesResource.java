package dev.conveyor.gateway.api;

import dev.conveyor.gateway.domain.CacheKey;
import dev.conveyor.gateway.domain.Channel;
import dev.conveyor.gateway.domain.Position;
import dev.conveyor.gateway.fanout.NotReadyException;
import dev.conveyor.gateway.fanout.Resume;
import dev.conveyor.gateway.kafka.ChangeLog;
import dev.conveyor.gateway.kafka.ChangeLogService;
import dev.conveyor.kit.http.ProblemException;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** {@code GET /v1/changes}: the realtime cursor over HTTP, for when WebSockets are down. */
@Path("/v1/changes")
public class ChangesResource {

    /** The answer: the keys changed since the position (minimal covering set), the new position, or a reset. */
    public record Changes(List<CacheKey> keys, String position, boolean reset) {}

    private final ChangeLogService changeLogService;
    private final JsonWebToken jwt;

    public ChangesResource(ChangeLogService changeLogService, JsonWebToken jwt) {
        this.changeLogService = changeLogService;
        this.jwt = jwt;
    }

    @GET
    @RolesAllowed("user")
    @Produces(MediaType.APPLICATION_JSON)
    public Changes changes(@QueryParam("channel") String channelParam, @QueryParam("since") String sinceParam) {
        Channel channel;
        try {
            channel = Channel.parse(channelParam);
        } catch (IllegalArgumentException e) {
            throw new ProblemException(400, "bad_channel", "Bad channel", e.getMessage());
        }
        Position since = null;
        if (sinceParam != null && !sinceParam.isEmpty()) {
            try {
                since = Position.parse(sinceParam);
            } catch (IllegalArgumentException e) {
                throw new ProblemException(
                        400,
                        "bad_position",
                        "Bad position",
                        "since is a position from a previous answer or frame: " + e.getMessage());
            }
        }
        UUID caller;
        try {
            caller = UUID.fromString(jwt.getSubject());
        } catch (RuntimeException e) {
            throw ProblemException.invalidSubject();
        }
        ChangeLog log = changeLogService.changeLog();
        boolean allowed = channel.kind() == Channel.Kind.USER
                ? channel.id().equals(caller)
                : log.owner(channel.id()).map(caller::equals).orElse(false);
        if (!allowed) {
            throw new ProblemException(404, "not_found", "Not found", "no such channel for this user: " + channel);
        }
        Resume resume;
        try {
            resume = log.changes(channel, since);
        } catch (NotReadyException e) {
            throw ProblemException.unavailable(e.getMessage());
        }
        return new Changes(resume.keys(), resume.position().toString(), resume.reset());
    }
}
