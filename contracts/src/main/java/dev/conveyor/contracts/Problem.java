package dev.conveyor.contracts;

/**
 * RFC 9457 problem details, the one error body of every Conveyor HTTP service (clients read {@code code}). One error has
 * one {@code type}: {@link #TYPE_BASE} followed by its {@code code} exactly as written (snake_case, no rewriting).
 */
public record Problem(String type, String title, int status, String detail, String code) {
    public static final String MEDIA_TYPE = "application/problem+json";
    public static final String TYPE_BASE = "https://conveyor.dev/problems/";

    public static Problem of(int status, String code, String title, String detail) {
        return new Problem(TYPE_BASE + code, title, status, detail, code);
    }
}
