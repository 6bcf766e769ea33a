// @conveyor/client: the client half of the Conveyor platform (see docs/client.md).
import { completeEnvironment, defaultEnvironment, storageGet, storageSet } from './environment.js';
import { createHttp, realtimeUrl, tokenSource } from './http.js';
import { isPrefix } from './keys.js';
import { leadMachine } from './lead.js';
import { createRealtime } from './realtime.js';
import { PENDING_STATUSES, restApi } from './rest.js';
import { DEFAULTS } from './timing.js';
import { createTracker } from './tracker.js';
import { defaultTimers, jwtPayload, reportError, uuid } from './util.js';

export { keys } from './keys.js';
export { ConveyorError } from './errors.js';
export { backoffDelay, pollDelay, DEFAULTS as timing } from './timing.js';

const CLIENT_ID_KEY = 'conveyor.clientId';

export function createConveyor(options = {}) {
  const { taskApiUrl, generationUrl, gatewayUrl, getToken } = options;
  const realtime = options.realtime !== false;
  const timers = options.timers || defaultTimers();
  const random = options.random || Math.random;
  const env = options.environment ? completeEnvironment(options.environment) : defaultEnvironment();
  const settings = { ...DEFAULTS, ...(options.timing || {}) };
  const onError = options.onError || reportError;
  const WebSocketImpl = options.WebSocket || (typeof WebSocket !== 'undefined' ? WebSocket : undefined);
  if (realtime && !gatewayUrl) throw new TypeError('createConveyor: gatewayUrl is required (or realtime: false)');
  if (realtime && typeof WebSocketImpl !== 'function') {
    throw new TypeError('createConveyor: no WebSocket in this runtime; pass the WebSocket option (e.g. the ws package) or realtime: false');
  }

  const tokens = tokenSource(getToken, timers.now);
  const sleep = (ms) => new Promise((resolve) => timers.setTimeout(resolve, ms));
  const request = createHttp({ fetch: options.fetch, tokens, sleep });
  const api = restApi(request, { taskApiUrl, generationUrl, gatewayUrl });

  const rt = createRealtime({
    storageKey: `conveyor.positions ${gatewayUrl || ''}`,
    wsUrl: gatewayUrl ? realtimeUrl(gatewayUrl) : '',
    tokens, WebSocketImpl, realtime, changes: api.changes, env, timers, random, options: settings, onError,
  });
  const tracker = createTracker({
    getTask: api.tasks.get, subscribe: rt.subscribe, position: rt.position, timers, random, onError,
  });
  rt.onInvalidate((keyList, frame) => tracker.onInvalidate(keyList, frame));
  rt.onReady((channel, recovered) => tracker.onReady(channel, recovered));

  const leads = new Set();
  let clientId = storageGet(env.storage, CLIENT_ID_KEY);
  if (!clientId) {
    clientId = uuid(random);
    storageSet(env.storage, CLIENT_ID_KEY, clientId);
  }

  let userIdPromise = null;
  function userId() {
    if (!userIdPromise) {
      userIdPromise = tokens.current()
        .then((t) => {
          const sub = jwtPayload(t)?.sub;
          return typeof sub === 'string' && sub ? sub : api.account.get().then((a) => a.userId);
        })
        .catch((e) => {
          userIdPromise = null;
          throw e;
        });
    }
    return userIdPromise;
  }

  function follow(task, callbacks) {
    const done = tracker.follow(task.id, callbacks, task);
    done.catch(() => {}); // the callbacks' onError reports it; nobody else awaits this one
  }

  const tasks = {
    ...api.tasks,
    async create(input, callbacks) {
      const task = await api.tasks.create(input);
      if (callbacks) follow(task, callbacks);
      return task;
    },
    async createBatch(inputs, callbacks) {
      const answer = await api.tasks.createBatch(inputs);
      if (callbacks && answer && Array.isArray(answer.items)) {
        for (const item of answer.items) follow(item.task, callbacks);
      }
      return answer;
    },
    track: (taskId, callbacks) => tracker.follow(taskId, callbacks),
  };

  async function pendingTasks() {
    const seen = new Map();
    const limit = 100;
    for (let page = 1; page <= 1000; page++) {
      const answer = await api.tasks.listAll({ status: PENDING_STATUSES, page, limit });
      const items = (answer && answer.items) || [];
      for (const t of items) seen.set(t.id, t);
      if (items.length < limit || page * limit >= (answer.total ?? 0)) break;
    }
    return [...seen.values()];
  }

  async function hasPendingTasks() {
    const answer = await api.tasks.listAll({ status: PENDING_STATUSES, page: 1, limit: 1 });
    return Boolean(answer && ((answer.total ?? 0) > 0 || (answer.items && answer.items.length > 0)));
  }

  function lead({ onLead, onLose, onError: onLeadError } = {}) {
    const machine = leadMachine({
      clientId,
      take: (id) => request(taskApiUrl, 'POST', '/v1/task-lead', { body: { clientId: id } }),
      release: (id, { keepalive }) => request(taskApiUrl, 'DELETE', '/v1/task-lead', { query: { clientId: id }, keepalive }),
      timers, options: settings, isVisible: () => env.isVisible(), onLead, onLose,
      onError: onLeadError || (() => {}),
    });
    const offs = [
      env.onVisibilityChange(() => machine.visibility(env.isVisible())),
      env.onPageHide(() => machine.pageHide()),
      env.onPageShow(() => machine.pageShow()),
    ];
    let stopped = false;
    userId().then((u) => {
      if (stopped) return;
      const channel = `user:${u}`;
      offs.push(rt.subscribe(channel));
      offs.push(rt.onInvalidate((keyList, frame) => {
        if (frame.channel !== channel || frame.source === 'blind' || frame.source === 'visibility') return;
        if (keyList.some((k) => isPrefix(k, ['task-lead', u]))) machine.poke();
      }));
    }, (e) => (onLeadError || onError)(e));
    const handle = {
      isLeader: () => machine.isLeader(),
      get clientId() {
        return clientId;
      },
      get leaderClientId() {
        return machine.leaderClientId;
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        leads.delete(handle);
        for (const off of offs.splice(0)) off();
        await machine.stop();
      },
    };
    leads.add(handle);
    return handle;
  }

  return {
    projects: api.projects,
    tasks,
    account: api.account,
    admin: api.admin,
    generations: api.generations,
    shots: api.shots,
    changes: api.changes,
    pendingTasks,
    hasPendingTasks,
    subscribe: rt.subscribe,
    onInvalidate: rt.onInvalidate,
    onFrame: rt.onFrame,
    connection: rt.connection,
    position: rt.position,
    lead,
    userId,
    get clientId() {
      return clientId;
    },
    close() {
      for (const handle of [...leads]) handle.stop().catch(() => {});
      tracker.close();
      rt.close();
    },
  };
}
