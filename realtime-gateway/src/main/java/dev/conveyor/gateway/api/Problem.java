package dev.conveyor.gateway.api;

/** RFC 9457 problem details with a stable machine {@code code}. */
public record Problem(String type, String title, int status, String detail, String code) {
    public static Problem of(int status, String code, String title, String detail) {
        return new Problem("https://conveyor.dev/problems/" + code, title, status, detail, code);
    }
}
