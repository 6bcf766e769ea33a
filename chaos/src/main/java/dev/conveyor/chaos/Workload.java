package dev.conveyor.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.contracts.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The clients: the seeded plan of steps ({@link #plan}) sent over REST, round-robin over the task-api replicas, paced
 * evenly over {@code duration} by a few concurrent clients. Creates carry an idempotency key, so a create whose answer
 * was lost with a killed replica is sent again without creating twice.
 */
final class Workload {
    private final Tenants tenants;
    private final Rest taskApi;
    private final ClientLog log;
    private final long seed;

    Workload(Tenants tenants, Rest taskApi, ClientLog log, long seed) {
        this.tenants = tenants;
        this.taskApi = taskApi;
        this.log = log;
        this.seed = seed;
    }

    /**
     * The steps, drawn from {@code seed}: {@code tasks} creates (no-op 30 %, single_image 45 %, failing images 15 % —
     * permanently, once, on every attempt — and travel pipelines of 1–3 segments 10 %; a third of the images and
     * pipelines into a shot), and between them cancels (7 %) and retries (5 %) of earlier creates.
     */
    static List<Op> plan(long seed, int tasks, int projects, int shotsPerProject) {
        Random r = new Random(seed);
        List<Op> ops = new ArrayList<>();
        List<Integer> creates = new ArrayList<>();
        List<Integer> failing = new ArrayList<>();
        int made = 0;
        while (made < tasks) {
            int i = ops.size();
            int roll = r.nextInt(100);
            int project = r.nextInt(projects);
            if (creates.size() > 10 && roll < 7) {
                // cancel one of the last creates: some are still queued or running, some finished (409)
                int target = creates.get(creates.size() - 1 - r.nextInt(Math.min(30, creates.size())));
                ops.add(new Op(i, Op.Kind.CANCEL, -1, -1, 0, 0, target));
                continue;
            }
            if (failing.size() > 3 && roll < 12) {
                ops.add(new Op(i, Op.Kind.RETRY, -1, -1, 0, 0, failing.get(r.nextInt(failing.size()))));
                continue;
            }
            int kindRoll = r.nextInt(100);
            Op.Kind kind;
            if (kindRoll < 30) {
                kind = Op.Kind.NOOP;
            } else if (kindRoll < 75) {
                kind = Op.Kind.IMAGE;
            } else if (kindRoll < 80) {
                kind = Op.Kind.FAIL_PERMANENTLY;
            } else if (kindRoll < 85) {
                kind = Op.Kind.FAIL_ONCE;
            } else if (kindRoll < 90) {
                kind = Op.Kind.FAIL_ALWAYS;
            } else {
                kind = Op.Kind.TRAVEL;
            }
            int shot = (kind == Op.Kind.IMAGE || kind == Op.Kind.TRAVEL) && r.nextInt(3) == 0
                    ? r.nextInt(shotsPerProject)
                    : -1;
            int units = kind == Op.Kind.TRAVEL ? 1 + r.nextInt(3) : 1 + r.nextInt(2);
            int workMs = kind == Op.Kind.NOOP ? 0 : r.nextInt(800);
            ops.add(new Op(i, kind, project, shot, units, workMs, -1));
            creates.add(i);
            if (kind == Op.Kind.FAIL_PERMANENTLY || kind == Op.Kind.FAIL_ALWAYS || kind == Op.Kind.TRAVEL) {
                failing.add(i);
            }
            made++;
        }
        return ops;
    }

    /** Sends every step, paced evenly over {@code duration}, with {@code clients} concurrent clients. */
    void run(List<Op> ops, Duration duration, int clients) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();
        long perStepNanos = duration.toNanos() / Math.max(1, ops.size());
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            running.add(pool.submit(() -> {
                for (int i = next.getAndIncrement(); i < ops.size(); i = next.getAndIncrement()) {
                    long due = start + i * perStepNanos;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Rest.sleep(wait / 1_000_000);
                    }
                    execute(ops.get(i));
                }
                return null;
            }));
        }
        try {
            for (Future<?> f : running) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void execute(Op op) {
        switch (op.kind()) {
            case CANCEL -> actOn(op, "cancel", log.cancelRequested, Set.of(200, 409));
            case RETRY -> actOn(op, "retry", log.retryRequested, Set.of(200, 409));
            default -> create(op);
        }
    }

    private void actOn(Op op, String action, Set<UUID> record, Set<Integer> accepted) {
        UUID target = log.byStep.get(op.target());
        if (target == null) {
            log.skipped.add(op.index());
            return;
        }
        ClientLog.Created c = log.created.get(target);
        record.add(target);
        taskApi.send("POST", "/v1/tasks/" + target + "/" + action, token(c.userId()), null, accepted);
    }

    private void create(Op op) {
        Tenants.Project project = tenants.projects().get(op.project());
        UUID shot = op.shot() < 0 ? null : project.shots().get(op.shot());
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("projectId", project.id().toString());
        body.put("idempotencyKey", "chaos-" + seed + "-" + op.index());
        ObjectNode params = body.putObject("params");
        switch (op.kind()) {
            case NOOP -> body.put("taskType", "noop");
            case TRAVEL -> {
                body.put("taskType", "travel_orchestrator");
                ObjectNode payload = params.putObject("full_orchestrator_payload");
                payload.put("width", 32).put("height", 32);
                var segments = payload.putArray("segments");
                for (int s = 0; s < op.units(); s++) {
                    segments.addObject()
                            .put("prompt", "segment " + s + " of step " + op.index())
                            .put("frames", 2)
                            .put("work_ms", op.workMs());
                }
                if (shot != null) {
                    payload.put("shot_id", shot.toString());
                }
            }
            default -> {
                body.put("taskType", "single_image");
                params.put("prompt", "step " + op.index()).put("width", 32).put("height", 32);
                params.put("num_images", op.units()).put("work_ms", op.workMs());
                if (shot != null) {
                    params.put("shot_id", shot.toString());
                }
                if (op.kind() == Op.Kind.FAIL_PERMANENTLY) {
                    params.put("fail_permanently", true);
                } else if (op.kind() == Op.Kind.FAIL_ONCE) {
                    params.put("fail_attempts", 1);
                } else if (op.kind() == Op.Kind.FAIL_ALWAYS) {
                    params.put("fail_attempts", 100);
                }
            }
        }
        UUID owner = project.ownerId();
        JsonNode task = taskApi.send("POST", "/v1/tasks", token(owner), body, Set.of(200, 201))
                .body();
        log.created(new ClientLog.Created(UUID.fromString(task.get("id").asText()), op, owner, project.id(), shot));
    }

    private String token(UUID userId) {
        return tenants.users().stream()
                .filter(u -> u.id().equals(userId))
                .findFirst()
                .orElseThrow()
                .token();
    }
}
