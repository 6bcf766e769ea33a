package dev.conveyor.taskapi.api.model;

import dev.conveyor.taskapi.domain.Task;
import java.util.List;

public record Claimed(List<Task> tasks) {}
