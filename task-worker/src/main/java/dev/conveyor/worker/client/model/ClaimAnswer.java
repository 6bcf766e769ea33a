package dev.conveyor.worker.client.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** The claim's answer, read in one pass: only the fields the worker uses are bound; the rest is skipped, no tree is built. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ClaimAnswer(List<ClaimedTask> tasks) {
    public ClaimAnswer {
        tasks = tasks == null ? List.of() : tasks;
    }
}
