package dev.conveyor.taskapi.api.model;

import dev.conveyor.taskapi.domain.TaskService;
import java.util.List;

/** The items' answers in request order: each the new task, or (replayed) the earlier task with the same idempotencyKey. */
public record CreatedTasks(List<TaskService.Created> items) {}
