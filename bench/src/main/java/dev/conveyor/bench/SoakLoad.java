package dev.conveyor.bench;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A steady live load at a fixed rate: every 100 ms the tasks due since the start are created in
 * {@code POST /v1/tasks/batch} requests (users in turn, {@link ConveyorLoad#CLIENT_THREADS} client threads), one in
 * {@code imageEvery} a {@code single_image} so generations flow too. When the platform cannot take the requests, at
 * most {@link #MAX_IN_FLIGHT} wait: the rest is not created (counted as shed) and the achieved rate falls below the
 * target, where the table shows it.
 */
final class SoakLoad implements AutoCloseable {
    static final int MAX_IN_FLIGHT = 64;
    private static final long TICK_MILLIS = 100;

    private final List<TaskApiClient> users;
    private final List<UUID> projects;
    private final double rate;
    private final int batch;
    private final int imageEvery;
    private final ThreadPoolExecutor pool =
            (ThreadPoolExecutor) Executors.newFixedThreadPool(ConveyorLoad.CLIENT_THREADS);
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "soak-ticker");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong created = new AtomicLong();
    private final AtomicLong images = new AtomicLong();
    private final AtomicLong shed = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private volatile String lastError = "";
    private long due;
    private long issued;
    private int nextUser;
    private long started;

    SoakLoad(List<TaskApiClient> users, List<UUID> projects, double rate, int imageEvery) {
        this.users = users;
        this.projects = projects;
        this.rate = rate;
        this.imageEvery = imageEvery;
        // about ten requests a second whatever the rate: batches of rate/10, 1..50 tasks
        this.batch = (int) Math.max(1, Math.min(50, Math.round(rate / 10)));
    }

    void start() {
        started = System.nanoTime();
        ticker.scheduleAtFixedRate(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    int batchSize() {
        return batch;
    }

    private void tick() {
        due = (long) (rate * (System.nanoTime() - started) / 1e9);
        while (due - issued >= batch) {
            issued += batch;
            if (pool.getQueue().size() + pool.getActiveCount() >= MAX_IN_FLIGHT) {
                shed.addAndGet(batch);
                continue;
            }
            int u = nextUser++ % users.size();
            // the images of this batch: how many multiples of imageEvery fall in (issued - batch, issued]
            int img = (int) (issued / imageEvery - (issued - batch) / imageEvery);
            pool.execute(() -> {
                try {
                    users.get(u).createMixedBatch(projects.get(u), batch - img, img);
                    created.addAndGet(batch);
                    images.addAndGet(img);
                } catch (RuntimeException e) {
                    errors.incrementAndGet();
                    lastError = e.getMessage();
                }
            });
        }
    }

    /** Tasks task-api acknowledged (201) so far. */
    long created() {
        return created.get();
    }

    long images() {
        return images.get();
    }

    /** Tasks that were due but not sent because {@link #MAX_IN_FLIGHT} requests were already waiting. */
    long shed() {
        return shed.get();
    }

    long errors() {
        return errors.get();
    }

    String lastError() {
        return lastError;
    }

    /** Stops creating and waits (up to a minute) for the requests in flight. */
    @Override
    public void close() throws InterruptedException {
        ticker.shutdownNow();
        ticker.awaitTermination(10, TimeUnit.SECONDS);
        pool.shutdown();
        if (!pool.awaitTermination(60, TimeUnit.SECONDS)) {
            pool.shutdownNow();
        }
    }
}
