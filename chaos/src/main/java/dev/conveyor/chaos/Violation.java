package dev.conveyor.chaos;

/** One broken invariant, with the tasks and events that break it. */
record Violation(String invariant, String detail) {
    @Override
    public String toString() {
        return invariant + ": " + detail;
    }
}
