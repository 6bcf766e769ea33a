package dev.conveyor.generation.domain;

/** A request that cannot be served, with its HTTP status and stable machine code (rendered as problem+json). */
public class Problem extends RuntimeException {
    private final int status;
    private final String code;

    public Problem(int status, String code, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
    }

    public static Problem notFound(String what) {
        return new Problem(404, "not_found", what + " not found");
    }

    public static Problem validation(String detail) {
        return new Problem(422, "validation_failed", detail);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
