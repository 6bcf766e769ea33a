package dev.conveyor.generation.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** RFC 9457 problem details with a stable machine {@code code}. */
public record ProblemDetail(String type, String title, int status, String detail, String code) {
    public static final String MEDIA_TYPE = "application/problem+json";
    public static final MediaType PROBLEM_JSON = MediaType.valueOf(MEDIA_TYPE);

    public static Response response(int status, String code, String detail) {
        String title = Response.Status.fromStatusCode(status) != null ? Response.Status.fromStatusCode(status).getReasonPhrase() : "Error";
        return Response.status(status).type(PROBLEM_JSON)
                .entity(new ProblemDetail("https://conveyor.dev/problems/" + code.replace('_', '-'), title, status, detail, code))
                .build();
    }
}
