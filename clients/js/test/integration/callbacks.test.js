// tasks.create callbacks and track() against the real worker: once each, and a rejection for a task that fails for good.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ConveyorError } from '../../src/index.js';
import { connect, grantCredits, imageTask, nextFrame, user, waitFor } from './platform.js';

const me = user(1);
let conveyor;
let project;

before(async () => {
  await grantCredits(me.id, 100);
  conveyor = connect(me);
  project = await conveyor.projects.create({ name: 'callbacks' });
  // as an app showing the project would: its channel is live before tasks are created, so every change is seen
  const channel = `project:${project.id}`;
  await nextFrame(conveyor, (f) => f.type === 'subscribed' && f.channel === channel, () => conveyor.subscribe(channel));
});

after(() => conveyor.close());

function counting() {
  const calls = { onQueued: [], onProgress: [], onSuccess: [], onError: [] };
  const callbacks = Object.fromEntries(Object.keys(calls).map((name) => [name, (arg) => calls[name].push(arg)]));
  return { calls, callbacks };
}

test('tasks.create fires onQueued and onSuccess once each, onProgress per change, no onError', { timeout: 120000 }, async () => {
  const { calls, callbacks } = counting();
  const task = await conveyor.tasks.create(imageTask(project.id, 1, { work_ms: 2000 }), callbacks);
  assert.equal(task.status, 'queued');
  await waitFor(() => calls.onSuccess.length === 1, { timeout: 90000, message: 'onSuccess' });
  assert.equal(calls.onSuccess[0].id, task.id);
  assert.equal(calls.onSuccess[0].status, 'complete');
  assert.ok(calls.onSuccess[0].outputLocation, 'the final task, with its output');

  // A second task of the same project, followed to its end: by then every frame about the first has arrived too.
  const second = await conveyor.tasks.create(imageTask(project.id, 2));
  assert.equal((await conveyor.tasks.track(second.id)).status, 'complete');

  assert.equal(calls.onQueued.length, 1);
  assert.equal(calls.onSuccess.length, 1);
  assert.equal(calls.onError.length, 0);
  assert.ok(calls.onProgress.length >= 1, 'progress was reported');
  const progress = calls.onProgress.map((t) => `${t.progress}|${t.progressMessage}`);
  assert.equal(new Set(progress).size, progress.length, `one call per change: ${progress}`);
  assert.ok(calls.onProgress.every((t) => t.id === task.id && t.status === 'in_progress'));

  // A task that finished before track() was called settles at once.
  const done = await conveyor.tasks.track(task.id);
  assert.equal(done.status, 'complete');
});

test('track() rejects with ConveyorError for a task that fails for good; onError once', { timeout: 120000 }, async () => {
  const { calls, callbacks } = counting();
  const task = await conveyor.tasks.create(imageTask(project.id, 3, { fail_permanently: true }), callbacks);
  await assert.rejects(conveyor.tasks.track(task.id), (e) => {
    assert.ok(e instanceof ConveyorError, String(e));
    assert.equal(e.code, 'task_failed');
    assert.equal(e.task.id, task.id);
    assert.equal(e.task.status, 'failed');
    assert.ok(e.detail.length > 0);
    return true;
  });
  await waitFor(() => calls.onError.length === 1, { message: 'onError' });
  const later = await conveyor.tasks.create(imageTask(project.id, 4));
  await conveyor.tasks.track(later.id);
  assert.equal(calls.onError.length, 1);
  assert.equal(calls.onError[0].status, 'failed');
  assert.equal(calls.onSuccess.length, 0);
  assert.ok(calls.onQueued.length <= 1);
});

test('pendingTasks lists the user\'s unfinished tasks across projects, and nothing once they are done', { timeout: 120000 }, async () => {
  const other = await conveyor.projects.create({ name: 'callbacks, second project' });
  const slow = await conveyor.tasks.createBatch([imageTask(project.id, 5, { work_ms: 3000 }), imageTask(other.id, 6, { work_ms: 3000 })]);
  const ids = slow.items.map((i) => i.task.id).sort();
  const pending = await conveyor.pendingTasks();
  assert.deepEqual(pending.map((t) => t.id).sort(), ids);
  assert.ok(pending.every((t) => ['waiting', 'queued', 'in_progress'].includes(t.status)));
  assert.equal(await conveyor.hasPendingTasks(), true);
  await Promise.all(ids.map((id) => conveyor.tasks.track(id)));
  assert.deepEqual(await conveyor.pendingTasks(), []);
  assert.equal(await conveyor.hasPendingTasks(), false);
});
