package dev.conveyor.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Every follower's cache equals the services' truth at the end: status counts, gallery size and each shot's
 * unpositioned count, whether the follower resumed or was reset on the way — never silently stale.
 */
final class CachesMatch implements Invariant {
    @Override
    public String name() {
        return "caches: every follower's cache equals the server's truth";
    }

    @Override
    public List<Violation> check(History h) {
        List<Violation> out = new ArrayList<>();
        for (Map.Entry<UUID, ProjectView> e : h.truth().entrySet()) {
            ProjectView cached = h.cached().get(e.getKey());
            if (cached == null) {
                out.add(new Violation(name(), "project " + e.getKey() + " has no follower"));
            } else if (!cached.equals(e.getValue())) {
                out.add(new Violation(
                        name(), "project " + e.getKey() + " cached " + cached + " but the truth is " + e.getValue()));
            }
        }
        return out;
    }
}
