package dev.conveyor.worker.api;

import jakarta.ws.rs.core.Response;

/** RFC 9457 problem details, served as application/problem+json. */
public record Problem(String type, String title, int status, String detail, String code) {
    public static final String MEDIA_TYPE = "application/problem+json";

    public static Response response(int status, String title, String code, String detail) {
        return Response.status(status).type(MEDIA_TYPE)
                .entity(new Problem("https://conveyor.dev/problems/" + code, title, status, detail, code)).build();
    }
}
