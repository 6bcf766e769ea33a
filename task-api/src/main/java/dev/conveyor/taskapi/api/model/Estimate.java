package dev.conveyor.taskapi.api.model;

import dev.conveyor.taskapi.domain.TaskType;
import java.util.List;

/**
 * What a create would hold: {@code cost}, and its lines: the task itself, then (a pipeline) the children its handler
 * will create, each line {@code count} tasks of a type costing {@code cost} together.
 */
public record Estimate(String taskType, long cost, List<TaskType.Part> breakdown) {}
