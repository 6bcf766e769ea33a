package dev.conveyor.kit.auth;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Verified tokens by their exact text, each until its {@code exp}. Bounded: when full, the expired entries go and, if
 * none had expired, all of them (the next request of each client verifies its token again; nothing is refused).
 */
final class TokenCache {
    static final int DEFAULT_CAPACITY = 10_000;

    private final int capacity;
    private final Clock clock;
    private final ConcurrentHashMap<String, JsonWebToken> tokens = new ConcurrentHashMap<>();

    TokenCache(int capacity, Clock clock) {
        this.capacity = capacity;
        this.clock = clock;
    }

    /** The verified token, or null when it was never verified here or its {@code exp} has passed. */
    JsonWebToken get(String token) {
        JsonWebToken known = tokens.get(token);
        if (known == null) {
            return null;
        }
        if (!isLive(known)) {
            tokens.remove(token, known);
            return null;
        }
        return known;
    }

    /** Remembers a token the verifier accepted; one without {@code exp} is never remembered. */
    void put(String token, JsonWebToken verified) {
        if (verified.getExpirationTime() <= 0 || !isLive(verified)) {
            return;
        }
        if (tokens.size() >= capacity) {
            tokens.values().removeIf(t -> !isLive(t));
            if (tokens.size() >= capacity) {
                tokens.clear();
            }
        }
        tokens.put(token, verified);
    }

    int size() {
        return tokens.size();
    }

    private boolean isLive(JsonWebToken verified) {
        return clock.millis() / 1000 < verified.getExpirationTime();
    }
}
