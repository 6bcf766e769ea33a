-- Issue 15, PostgreSQL's work per task (counted with DEVSTACK_PG_STATS=1 ./bench/compare, docs/benchmarks.md "The
-- waiting index's pending list"). Every completion looks its waiting dependents up through tasks_waiting_on (the lock
-- of the waiting dependents, then their promotion), even when none exist. A GIN index with fastupdate (the default)
-- appends new entries to an unsorted pending list, merged into the tree only by (auto)vacuum or when the list passes
-- gin_pending_list_limit (4 MB), and every search reads that whole list. After a batch of tasks waiting on a gate was
-- created, each completion's two lookups scanned thousands of pending entries: ~0.9 ms per statement in a drain against
-- ~30 us with the list merged. Without fastupdate an insert of a waiting task goes straight into the tree (a little more
-- work for the few rows this partial index holds: only waiting tasks), and every lookup stays a tree descent.
ALTER INDEX tasks_waiting_on SET (fastupdate = off);
-- Entries already pending stay in the list until merged: merge them now.
SELECT gin_clean_pending_list('tasks_waiting_on'::regclass);
