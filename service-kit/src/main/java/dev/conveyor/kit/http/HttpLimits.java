package dev.conveyor.kit.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.conveyor.contracts.Json;
import dev.conveyor.contracts.Problem;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * HTTP-layer limits answered as problem+json before anything else runs (docs/rest.md "Limits"; the same in every service): a body over
 * {@code quarkus.http.limits.max-body-size} by its Content-Length (413 payload_too_large), a request target over
 * {@link #MAX_URI} characters (414 uri_too_long), headers over {@link #MAX_HEADERS} bytes (431 headers_too_large),
 * a NUL ({@code %00}) in the path or query (422 validation_failed); a chunked body without Content-Length is read
 * here with the same bound (413 payload_too_large once it passes it). The HTTP codec's own limits sit higher
 * ({@code max-initial-line-length}, {@code max-header-size}), so only requests past those get its bare answer.
 */
@ApplicationScoped
public class HttpLimits {
    public static final int MAX_URI = 4096;
    public static final int MAX_HEADERS = 16 * 1024;
    /** Runs before Quarkus's own body-size check (order -2), which answers with an empty body. */
    static final int ORDER = -10;

    private final long maxBody;

    public HttpLimits(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody) {
        this.maxBody = maxBody.asLongValue();
    }

    void install(@Observes Router router) {
        BodyHandler streamed = BodyHandler.create(false).setBodyLimit(maxBody);
        router.route().order(ORDER).handler(ctx -> check(ctx, streamed)).failureHandler(HttpLimits::failed);
    }

    /** A streamed body over the limit fails the route with 413 (BodyHandler): answered here instead of with an empty body. */
    private static void failed(RoutingContext ctx) {
        if (ctx.statusCode() == 413 && !ctx.response().headWritten()) {
            refuse(ctx, 413, "payload_too_large", "Payload too large", "the streamed body is over the limit");
            return;
        }
        ctx.next();
    }

    private void check(RoutingContext ctx, BodyHandler streamed) {
        HttpServerRequest req = ctx.request();
        String uri = req.uri();
        if (uri.length() > MAX_URI) {
            refuse(
                    ctx,
                    414,
                    "uri_too_long",
                    "URI too long",
                    "the request target is " + uri.length() + " characters; at most " + MAX_URI);
            return;
        }
        if (uri.contains("%00")) {
            refuse(
                    ctx,
                    422,
                    "validation_failed",
                    "Validation failed",
                    "the path or query contains a NUL character (%00)");
            return;
        }
        long headers = 0;
        for (Map.Entry<String, String> h : req.headers()) {
            headers += h.getKey().length() + h.getValue().length() + 4;
        }
        if (headers > MAX_HEADERS) {
            refuse(
                    ctx,
                    431,
                    "headers_too_large",
                    "Request header fields too large",
                    "the headers are " + headers + " bytes; at most " + MAX_HEADERS);
            return;
        }
        String length = req.getHeader("Content-Length");
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                refuse(ctx, 400, "bad_request", "Bad request", "Content-Length is not a number");
                return;
            }
            if (declared > maxBody) {
                refuse(
                        ctx,
                        413,
                        "payload_too_large",
                        "Payload too large",
                        "the body is " + declared + " bytes; at most " + maxBody + " are accepted");
                return;
            }
        } else if (req.headers().contains("Transfer-Encoding", "chunked", true)) {
            // No length up front: read it here, bounded, so an oversize one gets the same answer (the resource reads
            // ctx.body()).
            streamed.handle(ctx);
            return;
        }
        ctx.next();
    }

    /** Answers and closes the connection (an unread body cannot be followed by another request on it). */
    public static void refuse(RoutingContext ctx, int status, String code, String title, String detail) {
        String body;
        try {
            body = Json.MAPPER.writeValueAsString(Problem.of(status, code, title, detail));
        } catch (JsonProcessingException e) {
            body = "{\"status\":" + status + ",\"code\":\"" + code + "\"}";
        }
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", Problem.MEDIA_TYPE)
                .putHeader("Connection", "close")
                .endHandler(v -> ctx.request().connection().close())
                .end(body);
    }
}
