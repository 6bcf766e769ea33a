package dev.conveyor.devstack;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Exit;

/**
 * Entry point of the Kafka broker child process: formats the KRaft log directory when it is new, then runs
 * {@code kafka.Kafka}. It watches the parent process and exits with it, so a killed test JVM or launcher never
 * leaves a broker behind.
 *
 * <p>Arguments: {@code <parent pid> <cluster id> <log dir> <server.properties>}.
 */
public final class KafkaMain {
    private KafkaMain() {}

    public static void main(String[] args) throws Exception {
        long parentPid = Long.parseLong(args[0]);
        String clusterId = args[1];
        Path logDir = Path.of(args[2]);
        String properties = args[3];

        ProcessHandle.of(parentPid)
                .ifPresentOrElse(
                        parent -> parent.onExit().thenRun(KafkaMain::exitWithParent), KafkaMain::exitWithParent);

        if (!Files.exists(logDir.resolve("meta.properties"))) {
            format(clusterId, properties);
        }
        Class.forName("kafka.Kafka").getMethod("main", String[].class).invoke(null, (Object) new String[] {properties});
    }

    /** StorageTool ends with Exit.exit; catch that instead of letting it end this JVM. */
    private static void format(String clusterId, String properties) throws Exception {
        Method main = Class.forName("kafka.tools.StorageTool").getMethod("main", String[].class);
        String[] formatArgs = {"format", "-t", clusterId, "-c", properties, "--ignore-formatted"};
        Exit.setExitProcedure((status, message) -> {
            throw new FormatDone(status);
        });
        try {
            main.invoke(null, (Object) formatArgs);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (!(e.getCause() instanceof FormatDone done) || done.status != 0) {
                throw new IllegalStateException("formatting " + Arrays.toString(formatArgs) + " failed", e.getCause());
            }
        } finally {
            Exit.resetExitProcedure();
        }
    }

    private static void exitWithParent() {
        System.err.println("devstack: parent process ended, stopping the Kafka broker");
        // System.exit runs the broker's shutdown hook; should that hang, halt after 10 s so no orphan broker stays.
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "devstack-halt-watchdog");
            t.setDaemon(true);
            return t;
        });
        watchdog.schedule(() -> Runtime.getRuntime().halt(1), 10, TimeUnit.SECONDS);
        System.exit(0);
    }

    private static final class FormatDone extends RuntimeException {
        final int status;

        FormatDone(int status) {
            super(null, null, false, false);
            this.status = status;
        }
    }
}
