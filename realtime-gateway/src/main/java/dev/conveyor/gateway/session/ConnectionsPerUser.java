package dev.conveyor.gateway.session;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts each user's admitted connections against {@code gateway.connection.max-per-user} (then 4429). */
final class ConnectionsPerUser {
    private final int max;
    private final Map<UUID, AtomicInteger> perUser = new ConcurrentHashMap<>();

    ConnectionsPerUser(int max) {
        this.max = max;
    }

    /** Takes a slot for {@code user}; false when the user is at the limit. */
    boolean admit(UUID user) {
        AtomicInteger count = perUser.computeIfAbsent(user, u -> new AtomicInteger());
        while (true) {
            int now = count.get();
            if (now >= max) {
                return false;
            }
            if (count.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** Gives an admitted connection's slot back. */
    void release(UUID user) {
        AtomicInteger count = perUser.get(user);
        if (count != null && count.decrementAndGet() <= 0) {
            perUser.remove(user, count);
        }
    }
}
