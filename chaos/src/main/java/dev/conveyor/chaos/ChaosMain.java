package dev.conveyor.chaos;

import java.nio.file.Path;

/**
 * {@code ./chaos/run [--seed N] [--tasks N] [--faults N]}: one chaos run, exit code 0 when every invariant held, 1 when
 * one broke, 2 when the run itself could not be completed.
 */
public final class ChaosMain {
    private ChaosMain() {}

    public static void main(String[] args) {
        long seed = System.currentTimeMillis() % 1_000_000;
        int tasks = 10_000;
        Integer faults = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--tasks" -> tasks = Integer.parseInt(args[++i]);
                case "--faults" -> faults = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("usage: ./chaos/run [--seed N] [--tasks N] [--faults N]");
                    System.exit(2);
                }
            }
        }
        // one fault per 500 tasks, at least one of each kind
        int f = faults != null ? faults : Math.max(Fault.Kind.values().length, tasks / 500);
        Path root = Path.of(System.getProperty("conveyor.root", "."))
                .toAbsolutePath()
                .normalize();
        Path dir = Path.of(
                System.getProperty("chaos.dir", root.resolve("chaos/target/run").toString()));
        try {
            ChaosRun.Outcome outcome = new ChaosRun(ChaosRun.Settings.of(seed, tasks, f), root, dir, System.out).run();
            System.exit(outcome.violations() == 0 ? 0 : 1);
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(2);
        }
    }
}
