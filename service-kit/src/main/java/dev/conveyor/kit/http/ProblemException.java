package dev.conveyor.kit.http;

/**
 * The one exception for a client-visible failure in every service: {@link ProblemMappers} renders it as RFC 9457
 * problem+json ({@link dev.conveyor.contracts.Problem}) with its status and stable {@code code}.
 */
public class ProblemException extends RuntimeException {
    private final int status;
    private final String code;
    private final String title;

    public ProblemException(int status, String code, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String title() {
        return title;
    }

    /** The same failure, its detail prefixed with where it happened (e.g. {@code tasks[3]} of a batch). */
    public ProblemException at(String where) {
        return new ProblemException(status, code, title, where + ": " + getMessage());
    }

    public static ProblemException notFound(String what) {
        return new ProblemException(404, "not_found", "Not found", what + " not found");
    }

    public static ProblemException validation(String detail) {
        return new ProblemException(422, "validation_failed", "Validation failed", detail);
    }

    public static ProblemException badRequest(String code, String detail) {
        return new ProblemException(400, code, "Bad request", detail);
    }

    public static ProblemException conflict(String code, String detail) {
        return new ProblemException(409, code, "Conflict", detail);
    }

    public static ProblemException unauthorized(String detail) {
        return new ProblemException(401, "unauthorized", "Unauthorized", detail);
    }

    /** A verified token whose {@code sub} is not a user id: the same answer in every service (docs/rest.md "Errors"). */
    public static ProblemException invalidSubject() {
        return new ProblemException(401, "invalid_subject", "Unauthorized", "the token's sub must be a user id (UUID)");
    }

    public static ProblemException unavailable(String detail) {
        return new ProblemException(503, "unavailable", "Unavailable", detail);
    }
}
