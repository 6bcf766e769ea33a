package dev.conveyor.taskapi.domain;

/** RFC 9457 problem details; {@code code} is the stable machine-readable error code. */
public record Problem(String type, String title, int status, String detail, String code) {
    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(int status, String code, String title, String detail) {
        return new Problem("https://conveyor.dev/problems/" + code, title, status, detail, code);
    }
}
