package dev.conveyor.generation.domain;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/** A generation as listed in a shot: the generation's fields plus its position there (null = unpositioned). */
public record ShotGeneration(
        @JsonInclude(JsonInclude.Include.ALWAYS) Integer position,
        @JsonUnwrapped Generation generation) {}
