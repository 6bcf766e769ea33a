package dev.conveyor.kit.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class PipelinedTest {

    /** A statement that records when it is sent (subscribed) and answers only when the test says so. */
    private static final class Statement<T> {
        private final String name;
        private final List<String> sent;
        private UniEmitter<? super T> emitter;

        Statement(String name, List<String> sent) {
            this.name = name;
            this.sent = sent;
        }

        Uni<T> uni() {
            return Uni.createFrom().emitter(e -> {
                sent.add(name);
                emitter = e;
            });
        }
    }

    @Test
    void bothStatementsAreSentInOrderBeforeEitherAnswersAndTheFirstItemIsTheAnswer() {
        List<String> sent = new ArrayList<>();
        Statement<String> update = new Statement<>("update", sent);
        Statement<Void> ledger = new Statement<>("ledger", sent);

        CompletableFuture<String> answer =
                Pipelined.answerFirst(update.uni(), ledger.uni()).subscribeAsCompletionStage();

        assertThat(sent).containsExactly("update", "ledger");
        update.emitter.complete("after");
        assertThat(answer).isNotDone();
        ledger.emitter.complete(null);
        assertThat(answer).succeedsWithin(Duration.ofSeconds(1)).isEqualTo("after");
    }

    @Test
    void answerSecondSendsTheFirstFirstAndAnswersTheSecondsItem() {
        List<String> sent = new ArrayList<>();
        Statement<Void> lock = new Statement<>("lock", sent);
        Statement<Integer> update = new Statement<>("update", sent);

        CompletableFuture<Integer> answer =
                Pipelined.answerSecond(lock.uni(), update.uni()).subscribeAsCompletionStage();

        assertThat(sent).containsExactly("lock", "update");
        lock.emitter.complete(null);
        update.emitter.complete(3);
        assertThat(answer).succeedsWithin(Duration.ofSeconds(1)).isEqualTo(3);
    }

    @Test
    void aFailedStatementFailsTheAnswer() {
        List<String> sent = new ArrayList<>();
        Statement<String> insert = new Statement<>("insert", sent);
        Statement<Void> hold = new Statement<>("hold", sent);

        CompletableFuture<String> answer =
                Pipelined.answerFirst(insert.uni(), hold.uni()).subscribeAsCompletionStage();
        insert.emitter.fail(new IllegalStateException("duplicate key"));

        assertThatThrownBy(answer::join).hasRootCauseMessage("duplicate key");
    }

    @Test
    void checkFirstSendsBothAtOnceAndARefusedCheckIsTheAnswerWhateverTheWorkDid() {
        List<String> sent = new ArrayList<>();
        Statement<String> project = new Statement<>("project", sent);
        Statement<String> insert = new Statement<>("insert", sent);

        CompletableFuture<String> answer = Pipelined.checkFirst(
                        project.uni(),
                        p -> {
                            if (p == null) {
                                throw new IllegalArgumentException("project not found");
                            }
                        },
                        insert.uni())
                .subscribeAsCompletionStage();

        assertThat(sent).containsExactly("project", "insert");
        insert.emitter.fail(new IllegalStateException("foreign key violation"));
        assertThat(answer).isNotDone(); // the check has not answered: its verdict comes first
        project.emitter.complete(null);
        assertThatThrownBy(answer::join).hasRootCauseMessage("project not found");
    }

    @Test
    void checkFirstLetsTheWorksItemOrFailureThroughOnceTheCheckPassed() {
        List<String> sent = new ArrayList<>();
        Statement<String> project = new Statement<>("project", sent);
        Statement<String> insert = new Statement<>("insert", sent);
        Statement<String> project2 = new Statement<>("project", sent);
        Statement<String> hold = new Statement<>("hold", sent);

        CompletableFuture<String> created =
                Pipelined.checkFirst(project.uni(), p -> {}, insert.uni()).subscribeAsCompletionStage();
        project.emitter.complete("mine");
        insert.emitter.complete("task");
        CompletableFuture<String> refused =
                Pipelined.checkFirst(project2.uni(), p -> {}, hold.uni()).subscribeAsCompletionStage();
        project2.emitter.complete("mine");
        hold.emitter.fail(new IllegalStateException("insufficient credits"));

        assertThat(created).succeedsWithin(Duration.ofSeconds(1)).isEqualTo("task");
        assertThatThrownBy(refused::join).hasRootCauseMessage("insufficient credits");
    }
}
