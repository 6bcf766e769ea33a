package dev.conveyor.kit.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

class BackgroundLoopTest {

    @Test
    void aStepThatThrowsIsRunAgainAndTheLoopReportsItselfUnhealthyUntilAStepSucceeds() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch thirdCall = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (BackgroundLoop loop = new BackgroundLoop(
                        "test-loop",
                        () -> {
                            int n = calls.incrementAndGet();
                            if (n <= 2) {
                                throw new IllegalStateException("boom " + n);
                            }
                            if (n == 3) {
                                thirdCall.countDown();
                                release.await();
                                return;
                            }
                            new CountDownLatch(1).await();
                        },
                        Duration.ofMillis(10),
                        Duration.ofMillis(50))
                .start()) {
            assertThat(thirdCall.await(10, TimeUnit.SECONDS))
                    .as("the loop ran again after two failures")
                    .isTrue();
            assertThat(loop.failures()).isEqualTo(2);
            assertThat(loop.health().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
            assertThat(loop.health().getName()).isEqualTo("test-loop");
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(loop::isHealthy);
            assertThat(loop.health().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        }
    }

    @Test
    void closeInterruptsABlockedStepAndTheLoopIsDownAfterwards() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        BackgroundLoop loop = new BackgroundLoop(
                        "blocked",
                        () -> {
                            started.countDown();
                            new CountDownLatch(1).await();
                        },
                        Duration.ofMillis(10),
                        Duration.ofMillis(50))
                .start();
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        loop.close();
        assertThat(loop.isHealthy()).isFalse();
        assertThat(loop.failures()).isZero();
    }

    @Test
    void theBackoffDoublesFromTheFirstAndStopsAtTheMaximum() {
        BackgroundLoop loop = new BackgroundLoop("b", () -> {}, Duration.ofMillis(100), Duration.ofSeconds(5));
        assertThat(loop.backoff(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(loop.backoff(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(loop.backoff(6)).isEqualTo(Duration.ofMillis(3200));
        assertThat(loop.backoff(7)).isEqualTo(Duration.ofSeconds(5));
        assertThat(loop.backoff(1000)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aLoopThatStopsOnFailureEndsAtItsFirstFailedStepReportsDownAndReleasesItsResources() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        try (BackgroundLoop loop = BackgroundLoop.builder("stopping")
                .step(() -> {
                    calls.incrementAndGet();
                    throw new IllegalStateException("position unknown");
                })
                .stopOnFailure()
                .whenDone(done::countDown)
                .build()
                .start()) {
            assertThat(done.await(10, TimeUnit.SECONDS))
                    .as("the loop ended and ran its whenDone")
                    .isTrue();
            assertThat(calls.get()).isEqualTo(1);
            assertThat(loop.failures()).isEqualTo(1);
            assertThat(loop.isHealthy()).isFalse();
            assertThat(loop.health().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        }
    }

    @Test
    void aPacedStepWaitsThePauseItAnswersAndCloseEndsThePauseAtOnce() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch firstCall = new CountDownLatch(1);
        CountDownLatch ended = new CountDownLatch(1);
        BackgroundLoop loop = BackgroundLoop.builder("paced")
                .every(Duration.ofHours(1), () -> {
                    calls.incrementAndGet();
                    firstCall.countDown();
                })
                .whenDone(ended::countDown)
                .build()
                .start();
        assertThat(firstCall.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(loop.isHealthy()).isTrue();
        loop.close();
        assertThat(ended.getCount())
                .as("the loop's thread left the hour's pause and ended within close")
                .isZero();
        assertThat(calls.get()).as("the pause held the second pass back").isEqualTo(1);
        assertThat(loop.isHealthy()).isFalse();
    }

    @Test
    void closeCallsTheWakeUpGivenInsteadOfInterruptingTheStep() throws Exception {
        CountDownLatch wakeUp = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger interrupted = new AtomicInteger();
        BackgroundLoop loop = BackgroundLoop.builder("woken")
                .step(() -> {
                    started.countDown();
                    try {
                        wakeUp.await();
                    } catch (InterruptedException e) {
                        interrupted.incrementAndGet();
                        throw e;
                    }
                })
                .wakeWith(wakeUp::countDown)
                .build()
                .start();
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        loop.close();
        assertThat(wakeUp.getCount()).isZero();
        assertThat(interrupted.get()).isZero();
    }
}
