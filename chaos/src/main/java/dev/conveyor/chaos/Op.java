package dev.conveyor.chaos;

/**
 * One step of the workload, drawn from the seeded random before the run: a task to create (its kind says what it
 * should become), or a cancel or retry of the task created by an earlier step.
 *
 * @param index   the step's place in the workload (also the create's idempotency key)
 * @param project index into {@link Tenants#projects()}
 * @param shot    index into the project's shots, or -1
 * @param units   num_images of an image, segments of a travel pipeline
 * @param target  for cancel and retry: the index of the create step they act on
 */
record Op(int index, Kind kind, int project, int shot, int units, int workMs, int target) {
    enum Kind {
        NOOP,
        IMAGE,
        /** single_image with {@code fail_permanently}: must end failed after one attempt, never complete. */
        FAIL_PERMANENTLY,
        /** single_image whose first attempt fails retryably: completes on its second attempt. */
        FAIL_ONCE,
        /** single_image failing retryably on every attempt: must end failed with its attempts spent. */
        FAIL_ALWAYS,
        TRAVEL,
        CANCEL,
        RETRY;

        boolean creates() {
            return this != CANCEL && this != RETRY;
        }
    }
}
