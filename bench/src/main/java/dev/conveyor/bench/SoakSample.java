package dev.conveyor.bench;

import java.util.Map;

/**
 * One minute of a soak run: the load the driver achieved in the minute that ended, what was still to do, and each
 * process' memory at its end.
 *
 * @param minute minutes since the steady load started
 * @param load1 the machine's 1-minute load average
 * @param createdPerSecond tasks task-api acknowledged per second over the minute
 * @param completedPerSecond tasks that completed per second over the minute
 * @param backlog tasks created and not yet final (waiting, queued, in progress)
 * @param lag records the Kafka consumer groups had not consumed yet (-1: the broker did not answer)
 * @param memory per process, in the order of the table's columns
 */
record SoakSample(
        int minute,
        double load1,
        double createdPerSecond,
        double completedPerSecond,
        long backlog,
        long lag,
        Map<String, Memory> memory) {

    /**
     * Memory of one process in MiB. For a JVM also the heap after a full GC (its live set) and the heap committed;
     * -1 for a process that is not a JVM (PostgreSQL) or when the JVM did not answer.
     */
    record Memory(long rssMiB, long heapAfterGcMiB, long heapCommittedMiB) {
        static Memory rssOnly(long rssMiB) {
            return new Memory(rssMiB, -1, -1);
        }

        boolean hasHeap() {
            return heapAfterGcMiB >= 0;
        }
    }
}
