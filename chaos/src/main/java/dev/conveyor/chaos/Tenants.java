package dev.conveyor.chaos;

import java.util.List;
import java.util.UUID;

/** The workload's users, each with projects, each with shots; created over REST before the run. */
record Tenants(List<User> users) {
    record User(UUID id, String token, List<Project> projects) {}

    record Project(UUID id, UUID ownerId, List<UUID> shots) {}

    List<Project> projects() {
        return users.stream().flatMap(u -> u.projects().stream()).toList();
    }

    User owner(Project p) {
        return users.stream()
                .filter(u -> u.id().equals(p.ownerId()))
                .findFirst()
                .orElseThrow();
    }
}
