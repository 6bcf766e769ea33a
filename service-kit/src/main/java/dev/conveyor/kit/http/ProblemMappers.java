package dev.conveyor.kit.http;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.conveyor.contracts.Json;
import dev.conveyor.contracts.Problem;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error of every service leaves as RFC 9457 problem+json with a stable {@code code}: one set of JAX-RS mappers,
 * found by Quarkus in this jar (META-INF/beans.xml makes it indexed). The status of a fault is the same everywhere.
 */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    public static Response problem(int status, String code, String title, String detail) {
        String body;
        try {
            body = Json.MAPPER.writeValueAsString(Problem.of(status, code, title, detail));
        } catch (JsonProcessingException e) {
            body = "{\"status\":" + status + ",\"code\":\"" + code + "\"}";
        }
        Response.ResponseBuilder b =
                Response.status(status).type(Problem.MEDIA_TYPE).entity(body);
        if (status == 401) {
            b.header("WWW-Authenticate", "Bearer");
        }
        return b.build();
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return problem(e.status(), e.code(), e.title(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e) {
        return problem(401, "unauthorized", "Unauthorized", "a valid bearer token is required");
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e) {
        return problem(401, "unauthorized", "Unauthorized", "a valid bearer token is required");
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return problem(403, "forbidden", "Forbidden", "this role may not call this endpoint");
    }

    /**
     * A body Jackson could not read, classified once for every endpoint: not JSON, a repeated key or a second value
     * (400 malformed_json); a wrong type, a coercion, a NUL, too deep (422 validation_failed); too long a token (413).
     */
    public static Response json(JsonProcessingException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InputRejected r) {
                return problem(422, "validation_failed", "Validation failed", where(r) + " " + r.getOriginalMessage());
            }
            if (t instanceof InputCoercionException ic) {
                return problem(
                        422,
                        "validation_failed",
                        "Validation failed",
                        "a number is out of range: " + ic.getOriginalMessage());
            }
            if (t instanceof StreamConstraintsException sc) {
                return sc.getOriginalMessage().contains("nesting depth")
                        ? problem(
                                422,
                                "validation_failed",
                                "Validation failed",
                                "the body nests more than " + JsonInput.MAX_BODY_DEPTH + " levels")
                        : problem(
                                413,
                                "payload_too_large",
                                "Payload too large",
                                "a value in the body is too large: " + sc.getOriginalMessage());
            }
        }
        if (e instanceof MismatchedInputException mi
                && !String.valueOf(mi.getOriginalMessage()).startsWith("Trailing token")) {
            return problem(422, "validation_failed", "Validation failed", where(mi) + " has the wrong type or format");
        }
        if (e instanceof JsonParseException || e instanceof MismatchedInputException) {
            return problem(
                    400,
                    "malformed_json",
                    "Malformed JSON",
                    "the body is not one valid JSON value: " + e.getOriginalMessage());
        }
        return problem(
                400, "malformed_json", "Malformed JSON", "the body could not be read: " + e.getOriginalMessage());
    }

    private static String where(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .reduce((a, b) -> a + "." + b)
                .orElse("body");
    }

    @ServerExceptionMapper
    public Response jsonException(JsonProcessingException e) {
        return json(e);
    }

    /** Declared for the exact types Quarkus has built-in mappers for (a more specific mapper wins over ours above). */
    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response parse(JsonParseException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response coercion(InputCoercionException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response constraints(StreamConstraintsException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response arithmetic(ArithmeticException e) {
        return problem(422, "validation_failed", "Validation failed", "a number is out of range");
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        Throwable cause = e.getCause();
        if (cause instanceof JsonProcessingException jp) {
            return json(jp);
        }
        if (cause != null && status == 400) {
            LOG.debugf("bad request: %s", cause.toString());
        }
        String code = switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 403 -> "forbidden";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 413 -> "payload_too_large";
            case 415 -> "unsupported_media_type";
            default -> "http_" + status;
        };
        return problem(
                status,
                code,
                Response.Status.fromStatusCode(status) == null
                        ? "Error"
                        : Response.Status.fromStatusCode(status).getReasonPhrase(),
                e.getMessage());
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        LOG.error("unexpected failure", e);
        return problem(500, "internal_error", "Internal error", "an unexpected error occurred");
    }
}
