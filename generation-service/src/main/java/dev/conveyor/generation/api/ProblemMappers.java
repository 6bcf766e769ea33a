package dev.conveyor.generation.api;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.conveyor.generation.domain.Problem;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every error answer is problem+json with a stable code. */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response problem(Problem problem) {
        return ProblemDetail.response(problem.status(), problem.code(), problem.getMessage());
    }

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthorized(RuntimeException e) {
        return ProblemDetail.response(401, "unauthorized", "a valid bearer token is required");
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return ProblemDetail.response(403, "forbidden", "this operation needs the user role");
    }

    /**
     * A body Jackson could not read, classified once for every endpoint: not JSON, a repeated key or a second value
     * (400 malformed_json); a wrong type, a NUL, too deep (422 validation_failed); too long a token (413).
     */
    static Response json(JsonProcessingException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InputRejected r) {
                return ProblemDetail.response(422, "validation_failed", where(r) + " " + r.getOriginalMessage());
            }
            if (t instanceof InputCoercionException ic) {
                return ProblemDetail.response(422, "validation_failed", "a number is out of range: " + ic.getOriginalMessage());
            }
            if (t instanceof StreamConstraintsException sc) {
                return sc.getOriginalMessage().contains("nesting depth")
                        ? ProblemDetail.response(422, "validation_failed", "the body nests more than " + JsonInput.MAX_BODY_DEPTH + " levels")
                        : ProblemDetail.response(413, "payload_too_large", "a value in the body is too large: " + sc.getOriginalMessage());
            }
        }
        if (e instanceof MismatchedInputException mi && !String.valueOf(mi.getOriginalMessage()).startsWith("Trailing token")) {
            return ProblemDetail.response(422, "validation_failed", where(mi) + " has the wrong type or format");
        }
        return ProblemDetail.response(400, "malformed_json", "the request body is not one valid JSON value: " + e.getOriginalMessage());
    }

    private static String where(JsonMappingException e) {
        return e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .reduce((a, b) -> a + "." + b).orElse("body");
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        return json(e);
    }

    /** Declared for the exact types Quarkus has built-in mappers for (a more specific mapper wins over the one above). */
    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response parse(JsonParseException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response constraints(StreamConstraintsException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof JsonProcessingException json) {
            return json(json);
        }
        String code = switch (status) {
            case 400 -> "bad_request";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 413 -> "payload_too_large";
            case 415 -> "unsupported_media_type";
            default -> status >= 500 ? "internal_error" : "bad_request";
        };
        return ProblemDetail.response(status, code, e.getMessage());
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        LOG.error("unexpected error", e);
        return ProblemDetail.response(500, "internal_error", "unexpected error");
    }
}
