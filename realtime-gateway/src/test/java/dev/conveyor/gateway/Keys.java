package dev.conveyor.gateway;

import dev.conveyor.contracts.Json;
import java.util.Arrays;
import java.util.UUID;

/** Expected cache keys in their JSON text form. */
final class Keys {
    private Keys() {}

    static String key(Object... parts) {
        try {
            return Json.MAPPER.writeValueAsString(Arrays.stream(parts)
                    .map(p -> p instanceof UUID ? p.toString() : p)
                    .toList());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
