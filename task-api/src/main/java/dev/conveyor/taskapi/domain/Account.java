package dev.conveyor.taskapi.domain;

import java.util.UUID;

/** A user's credits: balance, the part held by unfinished tasks, and what is left to spend. */
public record Account(UUID userId, long balance, long held, long available) {}
