// The tab's lead, shared by every useTaskLead / <TaskProcessor> under one provider: one conveyor.lead() while at
// least one component listens, stopped (and released) when the last one unmounts.

/**
 * A store for useSyncExternalStore. The stop after the last listener leaves is deferred by a tick, so an unmount
 * followed at once by a mount (StrictMode, a route change) keeps the lead instead of releasing and re-taking it.
 */
export function createLeadStore(conveyor) {
  const listeners = new Set();
  let handle = null;
  let pendingStop = null;
  let snapshot = { isLeader: false, clientId: conveyor.clientId };

  function update() {
    const isLeader = Boolean(handle && handle.isLeader());
    if (isLeader === snapshot.isLeader) return;
    snapshot = { isLeader, clientId: conveyor.clientId };
    for (const listener of [...listeners]) listener();
  }

  function subscribe(listener) {
    listeners.add(listener);
    if (pendingStop) {
      clearTimeout(pendingStop);
      pendingStop = null;
    }
    if (!handle) handle = conveyor.lead({ onLead: update, onLose: update });
    return () => {
      listeners.delete(listener);
      if (listeners.size > 0 || !handle) return;
      pendingStop = setTimeout(() => {
        pendingStop = null;
        if (listeners.size > 0 || !handle) return;
        const stopping = handle;
        handle = null;
        stopping.stop().catch(() => {});
        update();
      }, 0);
    };
  }

  return { subscribe, getSnapshot: () => snapshot };
}
