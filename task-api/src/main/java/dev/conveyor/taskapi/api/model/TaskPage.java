package dev.conveyor.taskapi.api.model;

import dev.conveyor.taskapi.domain.Task;
import java.util.List;

public record TaskPage(List<Task> items, int page, int limit, long total) {}
