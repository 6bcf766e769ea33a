package dev.conveyor.generation.domain;

/** What a consumed task-events record did; stored in the processed-event log and counted in a metric. */
public enum CompletionOutcome {
    /** A generation was created and linked to the task's shot. */
    CREATED_LINKED("created_linked"),
    /** A generation was created; the task named no shot. */
    CREATED("created"),
    /** A generation was created without a link: the named shot does not exist. */
    CREATED_UNKNOWN_SHOT("created_unknown_shot"),
    /** A generation was created without a link: the named shot belongs to another project. */
    CREATED_SHOT_OF_OTHER_PROJECT("created_shot_of_other_project"),
    /** No generation: the completion had no output location. */
    SKIPPED_NO_OUTPUT("skipped_no_output"),
    /** No generation: another event for the same task already made it. */
    DUPLICATE_TASK("duplicate_task"),
    /** Nothing: this event id was processed before (redelivery). Not stored again. */
    DUPLICATE_EVENT("duplicate_event"),
    /** Nothing: not a completion of a generating task type. Not stored. */
    IGNORED("ignored");

    private final String label;

    CompletionOutcome(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public boolean createdGeneration() {
        return this == CREATED
                || this == CREATED_LINKED
                || this == CREATED_UNKNOWN_SHOT
                || this == CREATED_SHOT_OF_OTHER_PROJECT;
    }
}
