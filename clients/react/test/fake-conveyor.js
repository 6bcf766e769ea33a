// An in-memory stand-in for a conveyor (the @conveyor/client surface the hooks use), for unit tests of the hooks'
// wiring: which keys they read, which channels they hold, what an invalidation refetches. The real SDK is tested in
// clients/js; the hooks against the real platform in test/integration.

export function fakeConveyor({ userId = 'user-1', data = {} } = {}) {
  const invalidateListeners = new Set();
  const stateListeners = new Set();
  const subscriptions = new Map(); // channel -> reference count
  const calls = [];
  const leads = [];
  const created = [];
  let state = 'connecting';
  let closed = false;

  const answer = (name, value) => async (...args) => {
    calls.push([name, ...args]);
    const v = typeof value === 'function' ? value(...args) : value;
    if (v instanceof Error) throw v;
    return structuredClone(v);
  };
  const count = (name) => calls.filter((c) => c[0] === name).length;

  const conveyor = {
    clientId: 'tab-1',
    userId: async () => userId,
    subscribe(channel) {
      subscriptions.set(channel, (subscriptions.get(channel) || 0) + 1);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        const left = subscriptions.get(channel) - 1;
        if (left > 0) subscriptions.set(channel, left);
        else subscriptions.delete(channel);
      };
    },
    onInvalidate(listener) {
      invalidateListeners.add(listener);
      return () => invalidateListeners.delete(listener);
    },
    connection: {
      get state() {
        return state;
      },
      subscribe(listener) {
        stateListeners.add(listener);
        return () => stateListeners.delete(listener);
      },
      reconnect() {},
    },
    lead({ onLead, onLose } = {}) {
      const handle = {
        leader: false,
        stopped: false,
        clientId: 'tab-1',
        leaderClientId: null,
        isLeader() {
          return this.leader;
        },
        async stop() {
          this.stopped = true;
          if (this.leader) {
            this.leader = false;
            onLose?.();
          }
        },
        grant() {
          this.leader = true;
          onLead?.();
        },
      };
      leads.push(handle);
      return handle;
    },
    tasks: {
      get: answer('tasks.get', (id) => data.tasks[id]),
      list: answer('tasks.list', () => data.taskPage),
      statusCounts: answer('tasks.statusCounts', () => data.counts),
      create: async (input, callbacks) => {
        calls.push(['tasks.create', input]);
        if (data.createError) throw data.createError;
        const task = { id: `task-${created.length + 1}`, projectId: input.projectId, status: 'waiting' };
        created.push({ task, callbacks });
        return task;
      },
      cancel: answer('tasks.cancel', (id) => ({ id, status: 'cancelled' })),
      retry: answer('tasks.retry', (id) => ({ id, status: 'queued' })),
      estimate: answer('tasks.estimate', (input) => ({ taskType: input.taskType, cost: 3 })),
    },
    generations: { list: answer('generations.list', () => data.projectGenerations) },
    shots: {
      list: answer('shots.list', () => data.shots),
      generations: answer('shots.generations', () => data.shotGenerations),
      unpositionedCount: answer('shots.unpositionedCount', () => ({ count: data.unpositioned })),
    },
    account: { get: answer('account.get', () => data.account) },
    projects: { list: answer('projects.list', () => data.projects) },
    pendingTasks: answer('pendingTasks', () => data.pending),
    close() {
      closed = true;
    },
  };

  return {
    conveyor,
    data,
    calls,
    count,
    created,
    leads,
    subscriptions,
    get closed() {
      return closed;
    },
    /** Delivers keys as an `invalidate` frame of `channel` would. */
    invalidate(keyList, channel = 'project:p1') {
      for (const l of [...invalidateListeners]) l(keyList, { type: 'invalidate', channel, keys: keyList });
    },
    setState(next) {
      state = next;
      for (const l of [...stateListeners]) l(next);
    },
    get invalidateListeners() {
      return invalidateListeners.size;
    },
  };
}
