package dev.conveyor.gateway.domain;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A canonical cache key, e.g. {@code ["tasks","paginated",projectId,1]}: a JSON array of strings and integers.
 * A key covers every key it is a prefix of ({@code ["tasks"]} covers {@code ["tasks","paginated",p,1]}).
 * <p>
 * Equal by value. A class rather than a record so that it keeps its hash: every connection of a channel adds each
 * change's keys to its pending set and compares them with its channel's covering keys (docs/benchmarks.md, "The
 * gateway's key sets").
 */
public final class CacheKey {
    private final List<Object> parts;
    private final int hash;

    public CacheKey(List<Object> parts) {
        Objects.requireNonNull(parts, "parts");
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a cache key has at least one part");
        }
        for (Object part : parts) {
            if (!(part instanceof String) && !(part instanceof Integer)) {
                throw new IllegalArgumentException("cache key parts are strings or integers, not " + part);
            }
        }
        this.parts = List.copyOf(parts);
        this.hash = this.parts.hashCode();
    }

    public List<Object> parts() {
        return parts;
    }

    /** Builds a key; UUIDs become their string form. */
    public static CacheKey of(Object... parts) {
        Object[] normalized = new Object[parts.length];
        for (int i = 0; i < parts.length; i++) {
            normalized[i] = parts[i] instanceof UUID id ? id.toString() : parts[i];
        }
        return new CacheKey(List.of(normalized));
    }

    /** True when this key is a prefix of (or equal to) {@code other}. */
    public boolean covers(CacheKey other) {
        int size = parts.size();
        if (other.parts.size() < size) {
            return false;
        }
        for (int i = 0; i < size; i++) {
            if (!parts.get(i).equals(other.parts.get(i))) {
                return false;
            }
        }
        return true;
    }

    @JsonValue
    public List<Object> json() {
        return parts;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || (o instanceof CacheKey other && hash == other.hash && parts.equals(other.parts));
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            Object part = parts.get(i);
            out.append(part instanceof String s ? '"' + s + '"' : part.toString());
        }
        return out.append(']').toString();
    }
}
