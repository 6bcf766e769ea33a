package dev.conveyor.gateway.domain;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A subscribable channel: {@code project:<id>} (the project's owner only) or {@code user:<id>} (that user only). Equal
 * by value; a class rather than a record so that it keeps its covering keys ({@link #allKeys}), which every connection
 * reads for every frame it coalesces.
 */
public final class Channel {

    public enum Kind {
        PROJECT,
        USER
    }

    private final Kind kind;
    private final UUID id;
    /** Built on first use; a race builds equal lists, either one is kept. */
    private List<CacheKey> allKeys;

    public Channel(Kind kind, UUID id) {
        this.kind = Objects.requireNonNull(kind, "kind");
        this.id = Objects.requireNonNull(id, "id");
    }

    public Kind kind() {
        return kind;
    }

    public UUID id() {
        return id;
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
        List<CacheKey> keys = allKeys;
        if (keys == null) {
            keys = coveringKeys();
            allKeys = keys;
        }
        return keys;
    }

    private List<CacheKey> coveringKeys() {
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
     * A channel is a hash-map key on every event's fan-out; when it was a record, its generated equals/hashCode (an
     * invokedynamic chain of method handles) ran interpreted there until C2 had inlined it — 14% of the gateway's
     * samples in a profiled drain (docs/benchmarks.md).
     */
    @Override
    public boolean equals(Object o) {
        return o == this || (o instanceof Channel other && kind == other.kind && id.equals(other.id));
    }

    @Override
    public int hashCode() {
        return 31 * kind.hashCode() + id.hashCode();
    }

    @Override
    public String toString() {
        return (kind == Kind.PROJECT ? "project:" : "user:") + id;
    }
}
