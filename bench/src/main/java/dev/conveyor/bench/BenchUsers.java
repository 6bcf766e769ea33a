package dev.conveyor.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The benchmark's users as compare and soak create them: {@link ConveyorLoad#CLIENT_THREADS} users, each with a
 * project and a billion credits, and the 100 browser tabs (12-13 per user) that follow them over WebSocket.
 */
record BenchUsers(List<TaskApiClient> users, List<UUID> projects) {
    static final int TABS = 100;

    static BenchUsers create(BenchPlatform platform) {
        String admin = platform.keys.token(UUID.randomUUID(), List.of("admin"), Duration.ofHours(12));
        List<TaskApiClient> users = new ArrayList<>();
        List<UUID> projects = new ArrayList<>();
        for (int u = 0; u < ConveyorLoad.CLIENT_THREADS; u++) {
            UUID id = UUID.randomUUID();
            TaskApiClient c = new TaskApiClient(
                    platform.taskApi.url(), id, platform.keys.token(id, List.of("user"), Duration.ofHours(12)), admin);
            users.add(c);
            projects.add(c.newProject(1_000_000_000L));
        }
        return new BenchUsers(List.copyOf(users), List.copyOf(projects));
    }

    /** Opens the tabs: tab i belongs to user i mod 8 and subscribes to that user's project and user channels. */
    RealtimeClients openTabs(BenchPlatform platform) throws Exception {
        List<TaskApiClient> tabUsers = new ArrayList<>();
        List<UUID> tabProjects = new ArrayList<>();
        for (int i = 0; i < TABS; i++) {
            tabUsers.add(users.get(i % users.size()));
            tabProjects.add(projects.get(i % users.size()));
        }
        return new RealtimeClients(platform.gateway.url(), tabUsers, tabProjects);
    }
}
