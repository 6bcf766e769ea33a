package dev.conveyor.taskapi.api.model;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

@Schema(example = "{\"amount\":100,\"reason\":\"welcome bonus\"}")
public record CreditGrant(Long amount, String reason) {}
