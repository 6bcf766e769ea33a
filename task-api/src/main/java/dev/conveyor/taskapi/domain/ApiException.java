package dev.conveyor.taskapi.domain;

/** A client-visible failure: rendered as RFC 9457 problem+json with a stable {@code code}. */
public class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final String title;

    public ApiException(int status, String code, String title, String detail) {
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
    public ApiException at(String where) {
        return new ApiException(status, code, title, where + ": " + getMessage());
    }

    public static ApiException notFound(String what) {
        return new ApiException(404, "not_found", "Not found", what + " not found");
    }

    public static ApiException validation(String detail) {
        return new ApiException(422, "validation_failed", "Validation failed", detail);
    }

    public static ApiException badRequest(String code, String detail) {
        return new ApiException(400, code, "Bad request", detail);
    }

    public static ApiException conflict(String code, String detail) {
        return new ApiException(409, code, "Conflict", detail);
    }

    public static ApiException leaseLost(String detail) {
        return new ApiException(409, "lease_lost", "Lease lost", detail);
    }

    public static ApiException insufficientCredits(long cost, long available) {
        return new ApiException(402, "insufficient_credits", "Insufficient credits",
                "the task costs " + cost + " credits, " + available + " available");
    }

    public static ApiException budgetExceeded(java.util.UUID parentId, long cost, long left) {
        return new ApiException(402, "pipeline_budget_exceeded", "Pipeline budget exceeded", "the child costs " + cost
                + " credits and parent task " + parentId + " has " + left + " left of what its create held for its children");
    }
}
