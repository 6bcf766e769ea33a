package dev.conveyor.worker.client;

/** task-api refused a request (4xx/5xx) with a problem+json {@code code} when it gave one. */
public class TaskApiException extends RuntimeException {
    private final int status;
    private final String code;

    public TaskApiException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** 5xx, 429 and 408 are worth repeating; other 4xx are not. */
    public boolean transientError() {
        return status >= 500 || status == 429 || status == 408;
    }
}
