package dev.conveyor.chaos;

import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * What a client shows of one project: its task status counts, how many generations its gallery holds, and each shot's
 * unpositioned count. A follower's cached copy must equal the one read fresh from the services at the end.
 */
record ProjectView(Map<String, Long> statusCounts, long generations, Map<UUID, Long> unpositioned) {
    ProjectView {
        statusCounts = new TreeMap<>(statusCounts);
        unpositioned = new TreeMap<>(unpositioned);
    }
}
