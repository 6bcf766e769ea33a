package dev.conveyor.taskapi.api.model;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

@Schema(example = "{\"name\":\"My film\"}")
public record ProjectRequest(String name) {}
