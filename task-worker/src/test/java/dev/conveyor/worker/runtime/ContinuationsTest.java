package dev.conveyor.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ContinuationsTest {
    private final AtomicInteger handOvers = new AtomicInteger();
    private final ExecutorService threads = Executors.newCachedThreadPool(WorkerRuntime.named("pool"));
    private final Continuations continuations = new Continuations(command -> {
        handOvers.incrementAndGet();
        threads.execute(command);
    });

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    @Test
    void aContinuationFromOutsideThePoolIsHandedToIt() throws Exception {
        CompletableFuture<String> ranOn = new CompletableFuture<>();

        continuations.execute(() -> ranOn.complete(Thread.currentThread().getName()));

        assertThat(ranOn.get(5, TimeUnit.SECONDS)).startsWith("pool-");
        assertThat(handOvers).hasValue(1);
    }

    @Test
    void theFollowUpsOfABatchDeliveredOnThePoolRunThereInlineWithOneHandOver() throws Exception {
        List<CompletableFuture<String>> answers =
                List.of(new CompletableFuture<>(), new CompletableFuture<>(), new CompletableFuture<>());
        List<String> followUps = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> done = answers.stream()
                .map(a -> a.thenAcceptAsync(
                        v -> followUps.add(Thread.currentThread().getName()), continuations))
                .toList();
        CompletableFuture<String> deliveredOn = new CompletableFuture<>();

        // as CompletionBatcher delivers a batch's answers: once through the continuations, completing each task's
        continuations.execute(() -> {
            deliveredOn.complete(Thread.currentThread().getName());
            answers.forEach(a -> a.complete("complete"));
        });

        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        assertThat(followUps).hasSize(3).containsOnly(deliveredOn.get());
        assertThat(handOvers).hasValue(1);
    }

    @Test
    void aPoolThreadNotRunningAContinuationStillHandsOver() throws Exception {
        CompletableFuture<String> ranOn = new CompletableFuture<>();
        CompletableFuture<String> caller = new CompletableFuture<>();

        // a handler on the pool (started with runSubscriptionOn, not through the continuations) reports its outcome
        threads.execute(() -> {
            caller.complete(Thread.currentThread().getName());
            continuations.execute(() -> ranOn.complete(Thread.currentThread().getName()));
        });

        assertThat(ranOn.get(5, TimeUnit.SECONDS)).startsWith("pool-");
        assertThat(handOvers).hasValue(1);
        assertThat(ranOn.get()).isNotEqualTo(caller.get());
    }
}
