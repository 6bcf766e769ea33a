package dev.conveyor.worker.client.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;

@JsonIgnoreProperties(ignoreUnknown = true)
public record HeartbeatAnswer(Instant leaseExpiresAt, boolean cancelled) {}
