package dev.conveyor.taskapi.api.model;

/** Why one item of a batch was refused: the code and detail the single-task endpoint would answer. */
public record ItemError(String code, String detail) {}
