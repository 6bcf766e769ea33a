package dev.conveyor.gateway.domain;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A subscribable channel: {@code project:<id>} (the project's owner only) or {@code user:<id>} (that user only).
 */
public record Channel(Kind kind, UUID id) {

    public enum Kind {
        PROJECT,
        USER
    }

    /** Parses {@code project:<uuid>} or {@code user:<uuid>}; throws {@link IllegalArgumentException} otherwise. */
    public static Channel parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("channel is missing");
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("channel must be project:<id> or user:<id>");
        }
        String prefix = text.substring(0, colon);
        Kind kind = switch (prefix) {
            case "project" -> Kind.PROJECT;
            case "user" -> Kind.USER;
            default -> throw new IllegalArgumentException("channel must be project:<id> or user:<id>");
        };
        try {
            UUID id = UUID.fromString(text.substring(colon + 1));
            if (!id.toString().equals(text.substring(colon + 1).toLowerCase())) {
                throw new IllegalArgumentException("channel id is not a canonical UUID");
            }
            return new Channel(kind, id);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("channel id is not a UUID");
        }
    }

    public static Channel project(UUID id) {
        return new Channel(Kind.PROJECT, id);
    }

    public static Channel user(UUID id) {
        return new Channel(Kind.USER, id);
    }

    /**
     * The channel's covering keys: every key an event of this channel can invalidate starts with one of them. A client
     * drops them all when it cannot be told exactly what changed ({@code reset}); a frame with many keys under one of
     * them carries that one instead ({@link KeySets#cover}). The order is cache-keys.json's (contracts).
     */
    public List<CacheKey> allKeys() {
        return switch (kind) {
            case PROJECT ->
                List.of(
                        CacheKey.of("tasks", "paginated", id),
                        CacheKey.of("task-status-counts", id),
                        CacheKey.of("task"),
                        CacheKey.of("unified-generations", "project", id),
                        CacheKey.of("unified-generations", "shot"),
                        CacheKey.of("unpositioned-count"),
                        CacheKey.of("shots", id));
            case USER -> List.of(CacheKey.of("account", id), CacheKey.of("task-lead", id));
        };
    }

    /*
     * Written by hand: a channel is a hash-map key on every event's fan-out, and a record's generated equals/hashCode
     * (an invokedynamic chain of method handles) ran interpreted there until C2 had inlined it — 14% of the gateway's
     * samples in a profiled drain (docs/benchmarks.md).
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Channel other && kind == other.kind && Objects.equals(id, other.id);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hashCode(kind) + Objects.hashCode(id);
    }

    @Override
    public String toString() {
        return (kind == Kind.PROJECT ? "project:" : "user:") + id;
    }
}
