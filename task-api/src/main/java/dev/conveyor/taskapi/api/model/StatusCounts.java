package dev.conveyor.taskapi.api.model;

public record StatusCounts(long waiting, long queued, long inProgress, long complete, long failed, long cancelled) {}
