// The query hooks read under the canonical keys and hold the channels that carry them, so an invalidation the
// provider's binding delivers refetches exactly the queries it names.
import '../dom.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { act, renderHook, waitFor } from '@testing-library/react';
import { keys } from '@conveyor/client';
import {
  useAccount, useConnectionState, useGenerations, usePendingTasks, useStatusCounts, useTask, useTasks,
  useUnpositionedCount,
} from '../../src/index.js';
import { setup } from '../render-setup.js';

const counts = (complete) => ({ waiting: 0, queued: 0, inProgress: 1, complete, failed: 0, cancelled: 0 });

test('useStatusCounts reads under keys.taskStatusCounts, holds the project channel and refetches on its key only', async () => {
  const { fake, queryClient, wrapper } = setup({ counts: counts(1) });
  const { result, unmount } = renderHook(() => useStatusCounts('p1'), { wrapper });
  await waitFor(() => assert.equal(result.current.data?.complete, 1));
  assert.deepEqual(queryClient.getQueryCache().getAll().map((q) => q.queryKey), [keys.taskStatusCounts('p1')]);
  assert.equal(fake.subscriptions.get('project:p1'), 1);

  fake.invalidate([keys.unifiedGenerationsProject('p1')]);
  fake.data.counts = counts(2);
  fake.invalidate([keys.taskStatusCounts('p2')]);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(fake.count('tasks.statusCounts'), 1, 'other keys refetch nothing');

  fake.invalidate([keys.taskStatusCounts('p1')]);
  await waitFor(() => assert.equal(result.current.data?.complete, 2));
  assert.equal(fake.count('tasks.statusCounts'), 2);
  unmount();
  assert.equal(fake.subscriptions.has('project:p1'), false, 'the channel is released on unmount');
});

test('useTasks: page 1 under the exact canonical key, filters appended under it, later pages refreshed with page 1', async () => {
  const page = (n) => ({ items: [{ id: `t${n}` }], page: 1, limit: 20, total: n });
  const { fake, queryClient, wrapper } = setup({ taskPage: page(1) });
  const { result } = renderHook(() => ({
    first: useTasks('p1'), failed: useTasks('p1', { status: 'failed' }), second: useTasks('p1', { page: 2 }),
  }), { wrapper });
  await waitFor(() => assert.ok(result.current.first.data && result.current.failed.data && result.current.second.data));
  const cached = queryClient.getQueryCache().getAll().map((q) => JSON.stringify(q.queryKey)).sort();
  assert.deepEqual(cached, [
    JSON.stringify(keys.tasksPaginated('p1', 1)),
    JSON.stringify([...keys.tasksPaginated('p1', 1), { status: 'failed' }]),
    JSON.stringify(keys.tasksPaginated('p1', 2)),
  ].sort());
  assert.deepEqual(fake.calls.filter((c) => c[0] === 'tasks.list').map((c) => c[2].page).sort(), [1, 1, 2]);

  fake.data.taskPage = page(2);
  fake.invalidate([keys.tasksPaginated('p1', 1)]);
  await waitFor(() => {
    assert.equal(result.current.first.data.total, 2);
    assert.equal(result.current.failed.data.total, 2);
    assert.equal(result.current.second.data.total, 2, 'page 2 follows page 1');
  });
  assert.equal(fake.count('tasks.list'), 6);
});

test('useTask reads keys.task(id) and subscribes the task\'s project once it is known', async () => {
  const { fake, wrapper } = setup({ tasks: { t1: { id: 't1', projectId: 'p9', status: 'queued' } } });
  const { result } = renderHook(() => useTask('t1'), { wrapper });
  await waitFor(() => assert.equal(result.current.data?.status, 'queued'));
  assert.equal(fake.subscriptions.get('project:p9'), 1);
  fake.data.tasks.t1.status = 'complete';
  fake.invalidate([['task']], 'project:p9'); // a burst arrives as the prefix
  await waitFor(() => assert.equal(result.current.data?.status, 'complete'));
});

test('useTask with no id fetches nothing', async () => {
  const { fake, wrapper } = setup();
  const { result } = renderHook(() => useTask(undefined), { wrapper });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(result.current.fetchStatus, 'idle');
  assert.equal(fake.count('tasks.get'), 0);
});

test('useGenerations: a project gallery and a shot gallery each under their canonical key', async () => {
  const gen = (id) => ({ id, projectId: 'p1', type: 'image', location: `http://x/${id}.png`, shots: [] });
  const { fake, wrapper } = setup({
    projectGenerations: { items: [gen('g1')], page: 1, limit: 48, total: 1 },
    shotGenerations: [gen('g1')],
  });
  const { result } = renderHook(() => ({
    project: useGenerations({ projectId: 'p1' }), shot: useGenerations({ shotId: 's1' }),
  }), { wrapper });
  await waitFor(() => assert.ok(result.current.project.data && result.current.shot.data));
  assert.equal(fake.subscriptions.get('project:p1'), 2, 'the shot gallery learnt its project from its generations');

  fake.data.shotGenerations = [gen('g1'), gen('g2')];
  fake.invalidate([keys.unifiedGenerationsShot('s1')]);
  await waitFor(() => assert.equal(result.current.shot.data.length, 2));
  assert.equal(fake.count('generations.list'), 1, 'a shot key does not refetch the project gallery');

  fake.data.projectGenerations = { items: [gen('g2'), gen('g1')], page: 1, limit: 48, total: 2 };
  fake.invalidate(keys.projectCovering('p1')); // a reset
  await waitFor(() => assert.equal(result.current.project.data.total, 2));
});

test('useUnpositionedCount answers the number and refetches on keys.unpositionedCount', async () => {
  const { fake, wrapper } = setup({ unpositioned: 3 });
  const { result } = renderHook(() => useUnpositionedCount('s1', { projectId: 'p1' }), { wrapper });
  await waitFor(() => assert.equal(result.current.data, 3));
  assert.equal(fake.subscriptions.get('project:p1'), 1);
  fake.data.unpositioned = 2;
  fake.invalidate([keys.unpositionedCount('s1')]);
  await waitFor(() => assert.equal(result.current.data, 2));
});

test('useAccount and usePendingTasks hold the user channel; an account key refreshes both', async () => {
  const { fake, wrapper } = setup({
    account: { userId: 'user-1', balance: 10, held: 0, available: 10 },
    pending: [],
  });
  const { result, unmount } = renderHook(() => ({ account: useAccount(), pending: usePendingTasks() }), { wrapper });
  await waitFor(() => assert.ok(result.current.account.data && result.current.pending.data));
  assert.equal(fake.subscriptions.get('user:user-1'), 2);

  fake.data.account = { userId: 'user-1', balance: 10, held: 3, available: 7 };
  fake.data.pending = [{ id: 't1', status: 'queued' }];
  fake.invalidate([keys.account('user-1')], 'user:user-1');
  await waitFor(() => {
    assert.equal(result.current.account.data.available, 7);
    assert.equal(result.current.pending.data.length, 1);
  });
  fake.data.pending = [];
  fake.invalidate([keys.task('t1')]);
  await waitFor(() => assert.equal(result.current.pending.data.length, 0), 'a task key refreshes the pending tasks');
  unmount();
  assert.equal(fake.subscriptions.has('user:user-1'), false);
  assert.equal(fake.invalidateListeners, 0, 'the derived invalidation listener is removed');
});

test('useConnectionState follows the connection', async () => {
  const { fake, wrapper } = setup();
  const { result } = renderHook(() => useConnectionState(), { wrapper });
  assert.equal(result.current, 'connecting');
  act(() => fake.setState('live'));
  assert.equal(result.current, 'live');
  act(() => fake.setState('polling'));
  assert.equal(result.current, 'polling');
});
