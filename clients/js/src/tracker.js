// Task callbacks and track(): a followed task's project channel is subscribed while it is followed, its state is
// checked once at the start, and it is refetched when an invalidation names it (["task", id], or the prefix
// ["task"]), or, from a gateway that does not send task keys, when its project's status counts / first page change,
// and after a reset, a dead-mode blind refresh, or a fresh subscribe.
import { ConveyorError, taskError } from './errors.js';
import { isPrefix, parseChannel } from './keys.js';
import { backoffDelay } from './timing.js';

const FINAL = new Set(['complete', 'failed', 'cancelled']);

export function createTracker({ getTask, subscribe, position, timers, random, onError }) {
  const followed = new Map(); // taskId -> entry

  function handler(callbacks = {}) {
    const h = { callbacks, queued: false, progressSig: null, settled: false };
    h.promise = new Promise((resolve, reject) => {
      h.resolve = resolve;
      h.reject = reject;
    });
    return h;
  }

  function call(h, name, arg) {
    const fn = h.callbacks && h.callbacks[name];
    if (typeof fn !== 'function') return;
    try {
      fn(arg);
    } catch (e) {
      onError(e);
    }
  }

  function deliver(h, task) {
    if (h.settled) return;
    const s = task.status;
    if (!h.queued && (s === 'queued' || s === 'in_progress' || s === 'complete' || (s === 'failed' && task.attempts > 0))) {
      h.queued = true;
      call(h, 'onQueued', task);
    }
    if (s === 'in_progress') {
      const sig = `${task.progress}\u0000${task.progressMessage}`;
      if (sig !== h.progressSig) {
        h.progressSig = sig;
        call(h, 'onProgress', task);
      }
    }
    if (s === 'complete') {
      h.settled = true;
      call(h, 'onSuccess', task);
      h.resolve(task);
    } else if (s === 'failed' || s === 'cancelled') {
      h.settled = true;
      call(h, 'onError', task);
      h.reject(taskError(task));
    }
  }

  function fail(entry, error, quiet = false) {
    for (const h of entry.handlers) {
      if (h.settled) continue;
      h.settled = true;
      if (!quiet) call(h, 'onError', error);
      h.reject(error);
    }
    finish(entry);
  }

  function apply(entry, task) {
    if (entry.done || !task) return;
    entry.task = task;
    for (const h of entry.handlers) deliver(h, task);
    if (FINAL.has(task.status)) finish(entry);
  }

  function finish(entry) {
    if (entry.done) return;
    entry.done = true;
    if (entry.retryTimer !== null) timers.clearTimeout(entry.retryTimer);
    if (entry.unsubscribe) entry.unsubscribe();
    if (followed.get(entry.taskId) === entry) followed.delete(entry.taskId);
  }

  /** GET the task; one at a time per task, a change during a fetch fetches once more after it. */
  function refresh(entry) {
    if (entry.done) return;
    if (entry.inFlight) {
      entry.again = true;
      return;
    }
    entry.inFlight = getTask(entry.taskId)
      .then((task) => {
        entry.failures = 0;
        apply(entry, task);
      }, (e) => {
        if (entry.done) return;
        if (e && e.status === 404) {
          fail(entry, e);
        } else if (entry.retryTimer === null) {
          // a transient failure: try again later (the final change may have no later frame)
          entry.retryTimer = timers.setTimeout(() => {
            entry.retryTimer = null;
            refresh(entry);
          }, 500 + backoffDelay(entry.failures++, random));
        }
      })
      .finally(() => {
        entry.inFlight = null;
        if (entry.again && !entry.done) {
          entry.again = false;
          refresh(entry);
        }
      });
  }

  async function start(entry, known) {
    let task = known;
    if (!task) task = await getTask(entry.taskId);
    if (entry.done) return;
    entry.projectId = task.projectId;
    apply(entry, task);
    if (entry.done) return;
    const channel = `project:${task.projectId}`;
    entry.unsubscribe = subscribe(channel);
    // With a position, every change after it reaches us, so one fetch now closes the gap; without one, the
    // subscription's confirmation (or first poll) triggers that fetch.
    entry.confirmed = Boolean(position(channel));
    if (entry.confirmed || known) refresh(entry);
  }

  function entriesOf(projectId) {
    return [...followed.values()].filter((e) => e.projectId === projectId && !e.done);
  }

  return {
    /** Follows a task (known: its current Task if the caller has it); resolves on complete, rejects on failed/cancelled. */
    follow(taskId, callbacks, known) {
      if (typeof taskId !== 'string' || !taskId) return Promise.reject(new TypeError('track: taskId must be a string'));
      const h = handler(callbacks);
      const existing = followed.get(taskId);
      if (existing && !existing.done) {
        existing.handlers.push(h);
        if (existing.task) deliver(h, existing.task);
        if (known) apply(existing, known);
        return h.promise;
      }
      const entry = {
        taskId, projectId: null, handlers: [h], task: null, unsubscribe: null, confirmed: false,
        inFlight: null, again: false, done: false, failures: 0, retryTimer: null,
      };
      followed.set(taskId, entry);
      start(entry, known).catch((e) => fail(entry, e));
      return h.promise;
    },

    /** Keys of an invalidate / reset (from the socket or dead mode) on some channel. */
    onInvalidate(keyList, frame) {
      const parsed = frame && parseChannel(frame.channel);
      if (!parsed || parsed.kind !== 'project' || followed.size === 0) return;
      const p = parsed.id;
      const entries = entriesOf(p);
      if (entries.length === 0) return;
      if (frame.type === 'reset') {
        entries.forEach(refresh);
        return;
      }
      const taskKeys = keyList.filter((k) => Array.isArray(k) && k[0] === 'task');
      if (taskKeys.length > 0) {
        for (const e of entries) {
          if (taskKeys.some((k) => k.length === 1 || k[1] === e.taskId)) refresh(e);
        }
        return;
      }
      const touches = (target) => keyList.some((k) => isPrefix(k, target) || isPrefix(target, k));
      if (touches(['task-status-counts', p]) || touches(['tasks', 'paginated', p])) entries.forEach(refresh);
    },

    /** A channel is (again) delivering from a known position: `recovered` false means changes may have been missed. */
    onReady(channel, recovered) {
      const parsed = parseChannel(channel);
      if (!parsed || parsed.kind !== 'project') return;
      for (const e of entriesOf(parsed.id)) {
        if (!e.confirmed || !recovered) refresh(e);
        e.confirmed = true;
      }
    },

    get size() {
      return followed.size;
    },

    close() {
      for (const entry of [...followed.values()]) {
        fail(entry, new ConveyorError({ code: 'closed', title: 'Client closed', detail: `stopped following task ${entry.taskId}` }), true);
      }
    },
  };
}
