package dev.conveyor.gateway.domain;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A canonical cache key, e.g. {@code ["tasks","paginated",projectId,1]}: a JSON array of strings and integers.
 * A key covers every key it is a prefix of ({@code ["tasks"]} covers {@code ["tasks","paginated",p,1]}).
 */
public record CacheKey(List<Object> parts) {

    public CacheKey {
        Objects.requireNonNull(parts, "parts");
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("a cache key has at least one part");
        }
        for (Object part : parts) {
            if (!(part instanceof String) && !(part instanceof Integer)) {
                throw new IllegalArgumentException("cache key parts are strings or integers, not " + part);
            }
        }
        parts = List.copyOf(parts);
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
        if (other.parts.size() < parts.size()) {
            return false;
        }
        return other.parts.subList(0, parts.size()).equals(parts);
    }

    @JsonValue
    public List<Object> json() {
        return parts;
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
