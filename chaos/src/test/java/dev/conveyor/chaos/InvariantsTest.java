package dev.conveyor.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.conveyor.chaos.History.LedgerEntry;
import dev.conveyor.chaos.History.TaskRow;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Each checker passes a healthy history and reports the broken one it is fed, naming the task or event. */
class InvariantsTest {

    private static Histories healthy() {
        Histories h = new Histories();
        h.completedImage();
        h.completedImage();
        h.account();
        return h;
    }

    @Test
    void everyCheckerPassesAHealthyHistory() {
        History history = healthy().history();
        for (Invariant inv : Invariant.all()) {
            assertThat(inv.check(history)).as(inv.name()).isEmpty();
        }
    }

    @Test
    void aCreatedTaskMissingFromTheDatabaseIsLost() {
        Histories h = healthy();
        TaskRow gone = h.tasks.remove(0);
        assertThat(new TaskOutcomes().check(h.history()))
                .anySatisfy(v -> assertThat(v.detail()).contains("lost: task " + gone.id()));
    }

    @Test
    void aTaskLeftInProgressIsStuck() {
        Histories h = healthy();
        TaskRow t = h.task("noop", "in_progress", 1, "{}");
        h.event(t.id(), "task.created", "queued", 0, null);
        h.event(t.id(), "task.claimed", "in_progress", 1, "w1");
        assertThat(new TaskOutcomes().check(h.history()))
                .anySatisfy(v -> assertThat(v.detail()).contains("stuck: task " + t.id()));
    }

    @Test
    void aStuckTaskNamesWhoHoldsItsLeaseAndForHowLong() {
        Histories h = healthy();
        TaskRow open = h.task("noop", "in_progress", 1, "{}", "chaos-worker-2 until +1795 s");
        h.event(open.id(), "task.created", "queued", 0, null);
        h.event(open.id(), "task.claimed", "in_progress", 1, "chaos-worker-2");
        assertThat(new TaskOutcomes().check(h.history()))
                .anySatisfy(v -> assertThat(v.detail())
                        .contains("stuck: task " + open.id())
                        .contains("lease held by chaos-worker-2 until +1795 s"));
    }

    @Test
    void aStatusNoEventAnnouncedMeansALostEvent() {
        Histories h = healthy();
        TaskRow t = h.task("noop", "complete", 1, "{}");
        h.event(t.id(), "task.created", "queued", 0, null);
        h.event(t.id(), "task.claimed", "in_progress", 1, "w1");
        assertThat(new TaskOutcomes().check(h.history()))
                .anySatisfy(v -> assertThat(v.detail()).contains("last event task.claimed says in_progress"));
    }

    @Test
    void aFailureWithAttemptsLeftAndNoReasonIsUnexplained() {
        Histories h = healthy();
        TaskRow t = h.task("noop", "failed", 1, "{}");
        h.event(t.id(), "task.created", "queued", 0, null);
        h.event(t.id(), "task.claimed", "in_progress", 1, "w1");
        h.event(t.id(), "task.failed", "failed", 1, "w1");
        assertThat(new TaskOutcomes().check(h.history()))
                .anySatisfy(v -> assertThat(v.detail()).contains("failed after 1 of 3 attempts"));
    }

    @Test
    void aTaskMadeToFailPermanentlyMustNotComplete() {
        Histories h = healthy();
        TaskRow t = h.task("single_image", "complete", 1, "{\"prompt\":\"x\",\"fail_permanently\":true}");
        h.event(t.id(), "task.created", "queued", 0, null);
        h.event(t.id(), "task.claimed", "in_progress", 1, "w1");
        h.event(t.id(), "task.completed", "complete", 1, "w1");
        assertThat(new TaskOutcomes().check(h.history()))
                .anySatisfy(v -> assertThat(v.detail()).contains("completed although every attempt must fail"));
    }

    @Test
    void aCancelNobodyAskedForIsUnexplained() {
        Histories h = healthy();
        TaskRow t = h.task("noop", "cancelled", 0, "{}");
        h.event(t.id(), "task.created", "queued", 0, null);
        h.event(t.id(), "task.cancelled", "cancelled", 0, null);
        assertThat(new TaskOutcomes().check(h.history()))
                .anySatisfy(v -> assertThat(v.detail()).contains("was cancelled, but no client cancelled it"));
        h.client.cancelRequested.add(t.id());
        assertThat(new TaskOutcomes().check(h.history())).isEmpty();
    }

    @Test
    void aSecondGenerationForOneTaskIsReported() {
        Histories h = healthy();
        TaskRow t = h.tasks.get(0);
        h.generations.add(new History.GenerationRow(UUID.randomUUID(), t.id(), h.project, "image", false));
        assertThat(new Generations().check(h.history()))
                .anySatisfy(v -> assertThat(v.detail()).contains("completed task " + t.id() + " (single_image) has 2"));
    }

    @Test
    void aGenerationOfAFailedTaskIsReported() {
        Histories h = healthy();
        TaskRow t = h.task("single_image", "failed", 3, "{\"prompt\":\"x\"}");
        h.generations.add(new History.GenerationRow(UUID.randomUUID(), t.id(), h.project, "image", false));
        assertThat(new Generations().check(h.history()))
                .anySatisfy(v -> assertThat(v.detail()).contains("should have none"));
    }

    @Test
    void aShotLinkAnnouncedTwiceOrMissingIsReported() {
        Histories h = healthy();
        History.GenerationEvent linked =
                h.generationEvents.stream().filter(e -> e.linked()).findFirst().orElseThrow();
        h.generationEvents.add(new History.GenerationEvent(
                UUID.randomUUID(), linked.type(), linked.generationId(), linked.shotId(), true));
        h.links.remove(1);
        List<Violation> v = new Generations().check(h.history());
        assertThat(v).anySatisfy(x -> assertThat(x.detail()).contains("announced 2 times"));
        assertThat(v).anySatisfy(x -> assertThat(x.detail()).contains("is not linked to its task's shot"));
    }

    @Test
    void aSecondCaptureForOneTaskIsALedgerEntryTwice() {
        Histories h = new Histories();
        TaskRow t = h.completedImage();
        h.ledger.add(new LedgerEntry(99, h.user, "capture", 1, t.id()));
        h.account();
        List<Violation> v = new CreditsExact().check(h.history());
        assertThat(v).anySatisfy(x -> assertThat(x.detail()).contains("completed task " + t.id()));
        assertThat(v).anySatisfy(x -> assertThat(x.detail()).contains("was charged 2 but completed tasks cost 1"));
    }

    @Test
    void creditsStillHeldOrABalanceOffTheLedgerAreReported() {
        Histories h = new Histories();
        h.completedImage();
        h.accounts.add(new History.AccountRow(h.user, 98, 1));
        List<Violation> v = new CreditsExact().check(h.history());
        assertThat(v).anySatisfy(x -> assertThat(x.detail()).contains("still holds 1"));
        assertThat(v).anySatisfy(x -> assertThat(x.detail()).contains("balance 98 != grants − captures = 99"));
    }

    @Test
    void aCompletionAfterTheLeaseWasTakenOverBreaksFencing() {
        Histories h = new Histories();
        TaskRow t = h.task("noop", "complete", 2, "{}");
        h.event(t.id(), "task.created", "queued", 0, null);
        h.event(t.id(), "task.claimed", "in_progress", 1, "paused-worker");
        h.event(t.id(), "task.requeued", "queued", 1, null);
        h.event(t.id(), "task.claimed", "in_progress", 2, "other-worker");
        h.event(t.id(), "task.completed", "complete", 1, "paused-worker");
        assertThat(new FencingHeld().check(h.history()))
                .singleElement()
                .satisfies(v -> assertThat(v.detail()).contains("completed by paused-worker (attempt 1)"));
    }

    @Test
    void aCompletionRightAfterARequeueBreaksFencing() {
        Histories h = new Histories();
        TaskRow t = h.task("noop", "complete", 1, "{}");
        h.event(t.id(), "task.created", "queued", 0, null);
        h.event(t.id(), "task.claimed", "in_progress", 1, "w1");
        h.event(t.id(), "task.requeued", "queued", 1, null);
        h.event(t.id(), "task.completed", "complete", 1, "w1");
        assertThat(new FencingHeld().check(h.history())).hasSize(1);
    }

    @Test
    void aStaleCacheIsReported() {
        Histories h = healthy();
        h.truth.put(h.project, new ProjectView(Map.of("complete", 2L), 2, Map.of(h.shot, 2L)));
        h.cached.put(h.project, new ProjectView(Map.of("complete", 1L), 2, Map.of(h.shot, 2L)));
        assertThat(new CachesMatch().check(h.history()))
                .singleElement()
                .satisfies(v -> assertThat(v.detail()).contains("project " + h.project + " cached"));
    }

    @Test
    void lagOrADeadLetterIsReported() {
        Histories h = healthy();
        h.lags.add(new History.Lag("generation-service", "task-events-3", 5));
        h.deadLetters.add("task-api-dlq 0:0 key k not an envelope");
        assertThat(new PipelinesDrained().check(h.history())).hasSize(2);
    }
}
