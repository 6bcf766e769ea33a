// Task callbacks and track(): driven by frames naming the task, once each, and the user-wide pending listing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConveyorError } from '../../src/index.js';
import { harness } from '../fakes.js';

const P = 'p1';
const CH = `project:${P}`;

function taskRoutes(tasks) {
  return (call) => {
    if (call.method === 'POST' && call.path === '/v1/tasks') {
      const t = { id: `t${tasks.size + 1}`, projectId: call.body.projectId, status: 'queued', progress: null, progressMessage: null, attempts: 0, errorMessage: null };
      tasks.set(t.id, t);
      return { status: 201, body: t };
    }
    const m = call.path.match(/^\/v1\/tasks\/([^/]+)$/);
    if (call.method === 'GET' && m) return tasks.has(m[1]) ? { body: { ...tasks.get(m[1]) } } : { status: 404, body: { code: 'not_found', status: 404 } };
    if (call.path === '/v1/changes') return { body: { keys: [], position: 'x', reset: false } };
    return { status: 404, body: { code: 'not_found', status: 404 } };
  };
}

function recorder() {
  const calls = [];
  return {
    calls,
    callbacks: {
      onQueued: (t) => calls.push(['queued', t.status]),
      onProgress: (t) => calls.push(['progress', t.progress]),
      onSuccess: (t) => calls.push(['success', t.status]),
      onError: (t) => calls.push(['error', t.status || t.code]),
    },
  };
}

async function liveWithPosition(h) {
  await h.clock.advance(0);
  h.ws.last.accept();
  h.ws.last.receive({ type: 'subscribed', channel: CH, position: 'task-events:0:1', recovered: false });
  await h.clock.advance(0);
}

const gets = (h, id) => h.fetch.callsTo('GET', `/v1/tasks/${id}`).length;

test('tasks.create callbacks: onQueued, onProgress per change, onSuccess, each driven by a frame naming the task', async () => {
  const tasks = new Map();
  const h = harness({ routes: taskRoutes(tasks) });
  const r = recorder();
  const task = await h.conveyor.tasks.create({ projectId: P, taskType: 'single_image', params: { prompt: 'x' } }, r.callbacks);
  assert.equal(task.status, 'queued');
  await liveWithPosition(h);
  assert.deepEqual(r.calls, [['queued', 'queued']]);
  assert.deepEqual(h.ws.last.sentOf('subscribe'), [{ type: 'subscribe', channel: CH }], 'follows the task\'s project');
  const t = tasks.get(task.id);
  const frame = (keys) => h.ws.last.receive({ type: 'invalidate', channel: CH, keys, position: 'task-events:0:9' });

  Object.assign(t, { status: 'in_progress', progress: 20 });
  frame([['tasks', 'paginated', P, 1], ['task', task.id]]);
  await h.clock.advance(0);
  frame([['task', 'someone-else']]);
  await h.clock.advance(0);
  Object.assign(t, { progress: 40 });
  frame([['task', task.id]]);
  await h.clock.advance(0);
  frame([['task', task.id]]); // nothing changed: no callback
  await h.clock.advance(0);
  Object.assign(t, { status: 'complete', progress: 100 });
  frame([['task-status-counts', P], ['task']]);
  await h.clock.advance(0);
  frame([['task', task.id]]);
  await h.clock.advance(0);
  assert.deepEqual(r.calls, [['queued', 'queued'], ['progress', 20], ['progress', 40], ['success', 'complete']]);
  assert.deepEqual(h.ws.last.sentOf('unsubscribe'), [{ type: 'unsubscribe', channel: CH }], 'stops following');
  h.conveyor.close();
});

test('a frame about another task does not fetch this one', async () => {
  const tasks = new Map([['t1', { id: 't1', projectId: P, status: 'queued', attempts: 0 }]]);
  const h = harness({ routes: taskRoutes(tasks) });
  const p = h.conveyor.tasks.track('t1');
  await liveWithPosition(h);
  const before = gets(h, 't1');
  h.ws.last.receive({ type: 'invalidate', channel: CH, keys: [['task', 't2'], ['task-status-counts', P]], position: 'a' });
  await h.clock.advance(0);
  assert.equal(gets(h, 't1'), before);
  tasks.get('t1').status = 'complete';
  h.ws.last.receive({ type: 'invalidate', channel: CH, keys: [['task', 't1']], position: 'b' });
  assert.equal((await p).status, 'complete');
  h.conveyor.close();
});

test('without task keys (an older gateway) a change of the project\'s status counts refetches followed tasks', async () => {
  const tasks = new Map([['t1', { id: 't1', projectId: P, status: 'queued', attempts: 0 }]]);
  const h = harness({ routes: taskRoutes(tasks) });
  const p = h.conveyor.tasks.track('t1');
  await liveWithPosition(h);
  tasks.get('t1').status = 'complete';
  h.ws.last.receive({ type: 'invalidate', channel: CH, keys: [['task-status-counts', P], ['tasks', 'paginated', P, 1]], position: 'a' });
  assert.equal((await p).status, 'complete');
  h.conveyor.close();
});

test('track() rejects with ConveyorError for a task that fails for good; onError once', async () => {
  const tasks = new Map([['t1', { id: 't1', projectId: P, status: 'in_progress', attempts: 1, progress: 0 }]]);
  const h = harness({ routes: taskRoutes(tasks) });
  const r = recorder();
  const p = h.conveyor.tasks.track('t1', r.callbacks);
  await liveWithPosition(h);
  Object.assign(tasks.get('t1'), { status: 'failed', errorMessage: 'fail_permanently requested' });
  h.ws.last.receive({ type: 'invalidate', channel: CH, keys: [['task', 't1']], position: 'a' });
  await assert.rejects(p, (e) => {
    assert.ok(e instanceof ConveyorError);
    assert.equal(e.code, 'task_failed');
    assert.equal(e.detail, 'fail_permanently requested');
    assert.equal(e.task.status, 'failed');
    return true;
  });
  h.ws.last.receive({ type: 'invalidate', channel: CH, keys: [['task', 't1']], position: 'b' });
  await h.clock.advance(0);
  assert.deepEqual(r.calls.filter((c) => c[0] === 'error'), [['error', 'failed']]);
  h.conveyor.close();
});

test('a task that finished before track() settles at once, without subscribing', async () => {
  const tasks = new Map([['t1', { id: 't1', projectId: P, status: 'complete', attempts: 1 }], ['t2', { id: 't2', projectId: P, status: 'cancelled' }]]);
  const h = harness({ routes: taskRoutes(tasks) });
  assert.equal((await h.conveyor.tasks.track('t1')).status, 'complete');
  await assert.rejects(h.conveyor.tasks.track('t2'), (e) => e.code === 'task_cancelled');
  assert.equal(h.ws.sockets.length, 0);
  h.conveyor.close();
});

test('track() of an unknown task rejects with not_found', async () => {
  const h = harness({ routes: taskRoutes(new Map()) });
  await assert.rejects(h.conveyor.tasks.track('nope'), (e) => e instanceof ConveyorError && e.code === 'not_found' && e.status === 404);
  h.conveyor.close();
});

test('a change between the first check and the subscription\'s confirmation is not missed', async () => {
  const tasks = new Map([['t1', { id: 't1', projectId: P, status: 'queued', attempts: 0 }]]);
  const h = harness({ routes: taskRoutes(tasks) });
  const p = h.conveyor.tasks.track('t1');
  await h.clock.advance(0);
  h.ws.last.accept();
  tasks.get('t1').status = 'complete'; // before the gateway confirmed the subscription
  h.ws.last.receive({ type: 'subscribed', channel: CH, position: 'task-events:0:5', recovered: false });
  assert.equal((await p).status, 'complete');
  h.conveyor.close();
});

test('a reset on the project refetches followed tasks', async () => {
  const tasks = new Map([['t1', { id: 't1', projectId: P, status: 'queued', attempts: 0 }]]);
  const h = harness({ routes: taskRoutes(tasks) });
  const p = h.conveyor.tasks.track('t1');
  await liveWithPosition(h);
  tasks.get('t1').status = 'complete';
  h.ws.last.receive({ type: 'reset', channel: CH, keys: [], position: 'z' });
  assert.equal((await p).status, 'complete');
  h.conveyor.close();
});

test('in dead mode the same logic runs from polled keys', async () => {
  const tasks = new Map([['t1', { id: 't1', projectId: P, status: 'queued', attempts: 0 }]]);
  const routes = taskRoutes(tasks);
  let changed = false;
  const h = harness({
    realtime: false,
    routes: (call) => (call.path === '/v1/changes'
      ? { body: { keys: changed ? [['task', 't1']] : [], position: changed ? 'b' : 'a', reset: false } }
      : routes(call)),
  });
  const r = recorder();
  const p = h.conveyor.tasks.track('t1', r.callbacks);
  await h.clock.advance(0);
  tasks.get('t1').status = 'complete';
  changed = true;
  await h.clock.advance(6000);
  assert.equal((await p).status, 'complete');
  assert.deepEqual(r.calls, [['queued', 'queued'], ['success', 'complete']]);
  h.conveyor.close();
});

test('close() rejects what is still followed with code closed', async () => {
  const tasks = new Map([['t1', { id: 't1', projectId: P, status: 'queued', attempts: 0 }]]);
  const h = harness({ routes: taskRoutes(tasks) });
  const p = h.conveyor.tasks.track('t1');
  await liveWithPosition(h);
  h.conveyor.close();
  await assert.rejects(p, (e) => e.code === 'closed');
});

test('pendingTasks pages through GET /v1/tasks?status=waiting,queued,in_progress; hasPendingTasks asks for one', async () => {
  const all = Array.from({ length: 230 }, (_, i) => ({ id: `t${i}`, status: 'queued' }));
  const h = harness({
    realtime: false,
    routes: (call) => {
      if (call.path !== '/v1/tasks') return { status: 404, body: {} };
      const page = Number(call.query.page);
      const limit = Number(call.query.limit);
      return { body: { items: all.slice((page - 1) * limit, page * limit), page, limit, total: all.length } };
    },
  });
  const pending = await h.conveyor.pendingTasks();
  assert.equal(pending.length, 230);
  const calls = h.fetch.callsTo('GET', '/v1/tasks');
  assert.deepEqual(calls.map((c) => c.query.page), ['1', '2', '3']);
  assert.equal(calls[0].query.status, 'waiting,queued,in_progress');
  assert.equal(await h.conveyor.hasPendingTasks(), true);
  assert.equal(h.fetch.calls.at(-1).query.limit, '1');
  all.length = 0;
  assert.equal(await h.conveyor.hasPendingTasks(), false);
  assert.deepEqual(await h.conveyor.pendingTasks(), []);
  h.conveyor.close();
});
