package dev.conveyor.chaos;

import java.util.List;

/** One invariant of issue 17: a pure check of a {@link History}, answering what breaks it (empty when it holds). */
interface Invariant {
    String name();

    List<Violation> check(History h);

    /** Every invariant the suite checks, in the order it reports them. */
    static List<Invariant> all() {
        return List.of(
                new TaskOutcomes(),
                new Generations(),
                new CreditsExact(),
                new FencingHeld(),
                new CachesMatch(),
                new PipelinesDrained());
    }
}
