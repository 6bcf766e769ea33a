package dev.conveyor.kit.sql;

import io.smallrye.mutiny.Uni;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * Two statements on one connection sent together: the second goes out right behind the first, without waiting for the
 * first's answer, and PostgreSQL runs them in the order sent — one round trip for both. Inside a transaction a failed
 * first statement fails the second with it (the transaction is aborted), so the answer fails with the first failure
 * to arrive, which is the first statement's. Each is sent when subscribed; subscribe to the answer once.
 */
public final class Pipelined {

    private Pipelined() {}

    /** Sends {@code first}, then {@code behind}; answers {@code first}'s item once both answered. */
    public static <T> Uni<T> answerFirst(Uni<T> first, Uni<?> behind) {
        return Uni.combine().all().unis(first, behind.replaceWith(Boolean.TRUE)).with((answer, done) -> answer);
    }

    /** Sends {@code first}, then {@code second}; answers {@code combine} of both items once both answered. */
    public static <A, B, R> Uni<R> both(Uni<A> first, Uni<B> second, BiFunction<A, B, R> combine) {
        return Uni.combine().all().unis(first, second).with(combine::apply);
    }

    /**
     * Sends {@code check}, then {@code work} right behind it, and once both answered judges the check first: {@code
     * verdict} gets its item and throws to refuse, and that refusal is the answer whatever {@code work} did (its
     * statements ran against a state the check refused; the caller's transaction rolls them back). Only a check that
     * passed lets {@code work}'s item or failure through. One round trip where checking before working takes two.
     */
    public static <C, T> Uni<T> checkFirst(Uni<C> check, Consumer<? super C> verdict, Uni<T> work) {
        return Uni.combine().all().unis(settled(check), settled(work)).asTuple().chain(both -> {
            Settled<C> checked = both.getItem1();
            Settled<T> worked = both.getItem2();
            if (checked.failure() != null) {
                return Uni.createFrom().failure(checked.failure());
            }
            verdict.accept(checked.item());
            return worked.failure() != null
                    ? Uni.createFrom().failure(worked.failure())
                    : Uni.createFrom().item(worked.item());
        });
    }

    /** A statement's answer, item or failure, kept until the statements sent with it answered too. */
    private record Settled<T>(T item, Throwable failure) {}

    private static <T> Uni<Settled<T>> settled(Uni<T> uni) {
        return uni.onItemOrFailure().transform(Settled::new);
    }

    /** Sends {@code first}, then {@code answer}; answers {@code answer}'s item once both answered. */
    public static <T> Uni<T> answerSecond(Uni<?> first, Uni<T> answer) {
        return Uni.combine().all().unis(first.replaceWith(Boolean.TRUE), answer).with((done, item) -> item);
    }
}
