package dev.conveyor.taskapi.api.model;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

@Schema(example = "{\"clientId\":\"tab-7f3c\"}")
public record LeadRequest(String clientId) {}
