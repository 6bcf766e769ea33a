package dev.conveyor.gateway.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.conveyor.contracts.Json;
import dev.conveyor.gateway.domain.CacheKey;
import dev.conveyor.gateway.domain.Channel;
import dev.conveyor.gateway.domain.Position;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Server frames of /v1/realtime, as JSON text. */
final class Frames {
    private Frames() {}

    static String invalidate(Channel channel, List<CacheKey> keys, Position position) {
        return write(map(
                "type", "invalidate", "channel", channel.toString(), "keys", keys, "position", position.toString()));
    }

    static String reset(Channel channel, Position position) {
        return write(map(
                "type",
                "reset",
                "channel",
                channel.toString(),
                "keys",
                channel.allKeys(),
                "position",
                position.toString()));
    }

    static String subscribed(Channel channel, Position position, boolean recovered) {
        return write(map(
                "type",
                "subscribed",
                "channel",
                channel.toString(),
                "position",
                position.toString(),
                "recovered",
                recovered));
    }

    static String unsubscribed(Channel channel, String reason) {
        return write(map("type", "unsubscribed", "channel", channel.toString(), "reason", reason));
    }

    static String welcome(UUID user) {
        return write(map("type", "welcome", "userId", user.toString()));
    }

    static String pong(String id) {
        return write(map("type", "pong", "id", id));
    }

    static String error(String code, String message, String channel) {
        return write(map("type", "error", "code", code, "message", message, "channel", channel));
    }

    private static Map<String, Object> map(Object... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                map.put((String) pairs[i], pairs[i + 1]);
            }
        }
        return map;
    }

    private static String write(Object frame) {
        try {
            return Json.MAPPER.writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
