package dev.conveyor.taskapi.api.model;

import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Hand a leased task back without penalty (queued at once, the attempt not counted). */
@Schema(example = "{\"workerId\":\"gpu-1\",\"leaseToken\":\"9a1f0d2e-7c3b-4e5a-8d6f-0b1c2d3e4f50\"}")
public record Release(String workerId, UUID leaseToken) {}
