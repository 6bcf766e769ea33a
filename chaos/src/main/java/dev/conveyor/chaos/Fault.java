package dev.conveyor.chaos;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * One fault of the seeded schedule: what, when (ms after the workload started), and which replica.
 *
 * @param target which replica of its kind (task-api 0..1, gateway 0..1, worker 0..2); unused for the others
 */
record Fault(long atMillis, Kind kind, int target) {
    enum Kind {
        /** kill -9 of a task-api replica, started again 2 s later. */
        KILL_TASK_API,
        /** kill -9 of a worker while it holds a task, started again 2 s later. */
        KILL_WORKER,
        /** kill -9 of generation-service, started again 2 s later. */
        KILL_GENERATION,
        /** kill -9 of a gateway replica, started again 2 s later: its followers move to the other one. */
        KILL_GATEWAY,
        /** the Kafka broker stopped and started again on its data. */
        RESTART_KAFKA,
        /**
         * PostgreSQL unavailable for 3 s (every process of the cluster paused), then every connection cut and open
         * transactions rolled back, as a fast restart does to clients ({@link ChaosPlatform#restartPostgres}).
         */
        POSTGRES_OUTAGE,
        /** SIGSTOP of a worker for longer than its lease, then SIGCONT: its late results must be refused. */
        PAUSE_WORKER
    }

    /**
     * {@code count} faults at random times within the middle of {@code durationMillis}; the kinds in a seeded order
     * that uses every kind once before any twice.
     */
    static List<Fault> schedule(long seed, int count, long durationMillis) {
        Random r = new Random(seed ^ 0x5DEECE66DL);
        List<Fault> faults = new ArrayList<>();
        List<Kind> round = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (round.isEmpty()) {
                round.addAll(List.of(Kind.values()));
                java.util.Collections.shuffle(round, r);
            }
            Kind kind = round.remove(0);
            int target = switch (kind) {
                case KILL_TASK_API, KILL_GATEWAY -> r.nextInt(2);
                case KILL_WORKER, PAUSE_WORKER -> r.nextInt(3);
                default -> 0;
            };
            long at = (long) (durationMillis * (0.05 + 0.85 * r.nextDouble()));
            faults.add(new Fault(at, kind, target));
        }
        faults.sort(Comparator.comparingLong(Fault::atMillis));
        return faults;
    }

    @Override
    public String toString() {
        String who = switch (kind) {
            case KILL_TASK_API -> " task-api-" + (target + 1);
            case KILL_GATEWAY -> " gateway-" + (target + 1);
            case KILL_WORKER, PAUSE_WORKER -> " worker-" + (target + 1);
            default -> "";
        };
        return String.format("t+%5.1f s %s%s", atMillis / 1000.0, kind, who);
    }
}
