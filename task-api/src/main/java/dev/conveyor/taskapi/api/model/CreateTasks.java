package dev.conveyor.taskapi.api.model;

import java.util.List;

/** Batch create: 1..100 tasks of one user in one transaction, all or none. */
public record CreateTasks(List<CreateTask> tasks) {}
