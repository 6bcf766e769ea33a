package dev.conveyor.gateway.domain;

import java.util.List;

/**
 * What one event means to clients: the channel that may receive it (decided once per event) and the cache keys it
 * invalidates.
 */
public record Change(Channel channel, List<CacheKey> keys) {
    public Change {
        keys = List.copyOf(keys);
    }
}
