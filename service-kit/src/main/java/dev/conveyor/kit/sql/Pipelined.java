package dev.conveyor.kit.sql;

import io.smallrye.mutiny.Uni;
import java.util.function.BiFunction;

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

    /** Sends {@code first}, then {@code answer}; answers {@code answer}'s item once both answered. */
    public static <T> Uni<T> answerSecond(Uni<?> first, Uni<T> answer) {
        return Uni.combine().all().unis(first.replaceWith(Boolean.TRUE), answer).with((done, item) -> item);
    }
}
