// Shared by the integration tests: the real platform the e2e harness (ClientSdkIT) started, reached through the
// environment it passes: TASK_API_URL, GENERATION_URL, GATEWAY_URL, ADMIN_TOKEN, CONVEYOR_USERS (8 fresh users,
// one per test file), CONVEYOR_CONTROL_URL (POST /gateway/stop, POST /gateway/start).
import { QueryClient, QueryObserver } from '@tanstack/query-core';
import WebSocket from 'ws';
import { createConveyor, keys } from '../../src/index.js';
import { bindQueryClient } from '../../src/tanstack.js';

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: these tests run from the e2e module's ClientSdkIT against the real platform`);
  return value;
}

export const env = {
  taskApiUrl: required('TASK_API_URL'),
  generationUrl: required('GENERATION_URL'),
  gatewayUrl: required('GATEWAY_URL'),
  adminToken: required('ADMIN_TOKEN'),
  users: JSON.parse(required('CONVEYOR_USERS')),
  controlUrl: required('CONVEYOR_CONTROL_URL'),
};

/** The n-th fresh user ({id, token}); each test file takes its own. */
export function user(n) {
  const u = env.users[n];
  if (!u) throw new Error(`CONVEYOR_USERS has no user #${n}`);
  return u;
}

/** A client of the real platform for a user (Node 20: the ws package's WebSocket). */
export function connect(u, options = {}) {
  return createConveyor({
    taskApiUrl: env.taskApiUrl, generationUrl: env.generationUrl, gatewayUrl: env.gatewayUrl,
    getToken: async () => u.token, WebSocket, ...options,
  });
}

const admin = createConveyor({
  taskApiUrl: env.taskApiUrl, getToken: async () => env.adminToken, realtime: false,
});

export function grantCredits(userId, amount) {
  return admin.admin.grantCredits(userId, { amount, reason: 'client sdk integration test' });
}

/** The harness's control server: 'stop' answers once the gateway is gone, 'start' once it is ready again. */
export async function gateway(action) {
  const res = await fetch(`${env.controlUrl}/gateway/${action}`, { method: 'POST' });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`gateway ${action}: ${res.status} ${text}`);
  return text;
}

/** Waits until `condition()` is truthy (checked every 50 ms), like Awaitility; fails with `describe()` on timeout. */
export async function waitFor(condition, { timeout = 60000, message = 'condition', describe = () => '' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await condition();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${message}; last: ${last instanceof Error ? last.stack : JSON.stringify(last)} ${describe()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The next frame matching `match` (listener registered before `trigger` runs). */
export function nextFrame(conveyor, match, trigger = () => {}, timeout = 60000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching frame within ${timeout} ms`));
    }, timeout);
    const off = conveyor.onFrame((frame) => {
      if (!match(frame)) return;
      clearTimeout(timer);
      off();
      resolve({ frame, at: Date.now() });
    });
    try {
      trigger();
    } catch (e) {
      clearTimeout(timer);
      off();
      reject(e);
    }
  });
}

/**
 * A QueryClient bound to the conveyor whose queries never refetch on their own (staleTime Infinity, no focus or
 * reconnect refetch): their data only changes when an invalidation arrives. `watch(name, queryKey, fn)` mounts an
 * observer and logs every fetch (name, key, time).
 */
export function boundQueryClient(conveyor) {
  const queryClient = new QueryClient({
    defaultOptions: { queries: { staleTime: Infinity, gcTime: Infinity, retry: false, refetchOnWindowFocus: false, refetchOnReconnect: false } },
  });
  const unbind = bindQueryClient(queryClient, conveyor);
  const fetches = [];
  const offs = [];
  return {
    queryClient,
    fetches,
    watch(name, queryKey, fn) {
      const observer = new QueryObserver(queryClient, {
        queryKey,
        queryFn: () => {
          fetches.push({ name, key: queryKey, at: Date.now() });
          return fn();
        },
      });
      offs.push(observer.subscribe(() => {}));
      return () => queryClient.getQueryData(queryKey);
    },
    data: (queryKey) => queryClient.getQueryData(queryKey),
    close() {
      unbind();
      offs.forEach((off) => off());
      queryClient.clear();
    },
  };
}

/** Mounts the three views a gallery app shows for a project: status counts, first task page, generations. */
export function projectViews(q, conveyor, projectId) {
  return {
    counts: q.watch('counts', keys.taskStatusCounts(projectId), () => conveyor.tasks.statusCounts(projectId)),
    page: q.watch('page', keys.tasksPaginated(projectId, 1), () => conveyor.tasks.list(projectId, { page: 1, limit: 100 })),
    gallery: q.watch('gallery', keys.unifiedGenerationsProject(projectId), () => conveyor.generations.list(projectId, { page: 1, limit: 100 })),
  };
}

/** Whether the cached views show `n` tasks, all complete, and `n` generations. */
export function converged(views, n) {
  const counts = views.counts();
  const page = views.page();
  const gallery = views.gallery();
  return Boolean(counts && page && gallery
    && counts.complete === n && counts.queued + counts.inProgress + counts.waiting === 0
    && page.total === n && page.items.every((t) => t.status === 'complete')
    && gallery.total === n);
}

export function describeViews(views) {
  const page = views.page();
  return () => JSON.stringify({
    counts: views.counts(),
    page: page && { total: page.total, statuses: page.items.map((t) => t.status).join(',') },
    gallery: views.gallery() && views.gallery().total,
  });
}

export function imageTask(projectId, i, extra = {}) {
  return { projectId, taskType: 'single_image', params: { prompt: `a red fox #${i}`, width: 16, height: 16, ...extra } };
}
