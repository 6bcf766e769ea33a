package dev.conveyor.taskapi.api.model;

import java.util.List;

public record CompleteResults(List<CompleteResult> results) {}
