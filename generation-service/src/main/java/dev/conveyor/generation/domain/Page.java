package dev.conveyor.generation.domain;

import java.util.List;

/** One page of a list; page counts from 1. */
public record Page<T>(List<T> items, int page, int limit, long total) {}
