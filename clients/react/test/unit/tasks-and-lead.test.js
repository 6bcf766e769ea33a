// useCreateTask hands the SDK callbacks that reach the latest ones passed; the lead is one per provider and
// <TaskProcessor> renders only in the leading tab; a provider made from options creates and closes its own client.
import '../dom.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createElement as h } from 'react';
import { act, render, renderHook, screen, waitFor } from '@testing-library/react';
import { ConveyorError, keys } from '@conveyor/client';
import {
  ConveyorProvider, TaskProcessor, useConveyor, useCreateTask, useRetryTask, useTaskLead,
} from '../../src/index.js';
import { setup, testQueryClient } from '../render-setup.js';

test('useCreateTask creates through the SDK with callbacks that call the latest ones given', async () => {
  const { fake, queryClient, wrapper } = setup();
  const seen = [];
  const { result, rerender } = renderHook(({ tag }) => useCreateTask({
    onQueued: (t) => seen.push(`${tag} queued ${t.id}`),
    onSuccess: (t) => seen.push(`${tag} success ${t.id}`),
  }), { wrapper, initialProps: { tag: 'first' } });
  let task;
  await act(async () => {
    task = await result.current.mutateAsync({ projectId: 'p1', taskType: 'single_image', params: { prompt: 'fox' } });
  });
  assert.equal(task.id, 'task-1');
  assert.deepEqual(fake.calls.find((c) => c[0] === 'tasks.create')[1].params, { prompt: 'fox' });
  assert.deepEqual(queryClient.getQueryData(keys.task('task-1')), task, 'the answer seeds the task\'s cache entry');

  const { callbacks } = fake.created[0];
  callbacks.onQueued({ id: 'task-1' });
  rerender({ tag: 'second' });
  callbacks.onSuccess({ id: 'task-1' });
  callbacks.onProgress({ id: 'task-1' }); // none given: ignored
  assert.deepEqual(seen, ['first queued task-1', 'second success task-1']);
});

test('useCreateTask: a refused create is the mutation\'s error (e.g. 402 insufficient_credits), no task followed', async () => {
  const refused = new ConveyorError({ status: 402, code: 'insufficient_credits', title: 'Payment Required', detail: 'needs 1, has 0' });
  const { fake, wrapper } = setup({ createError: refused });
  const { result } = renderHook(() => useCreateTask(), { wrapper });
  act(() => result.current.mutate({ projectId: 'p1', taskType: 'single_image', params: { prompt: 'x' } }));
  await waitFor(() => assert.equal(result.current.isError, true));
  assert.equal(result.current.error.code, 'insufficient_credits');
  assert.equal(fake.created.length, 0);
});

test('useRetryTask posts the retry and seeds the task\'s cache entry', async () => {
  const { fake, queryClient, wrapper } = setup();
  const { result } = renderHook(() => useRetryTask(), { wrapper });
  await act(() => result.current.mutateAsync('t7'));
  assert.deepEqual(fake.calls.find((c) => c[0] === 'tasks.retry'), ['tasks.retry', 't7']);
  assert.equal(queryClient.getQueryData(keys.task('t7')).status, 'queued');
});

test('one lead per provider: TaskProcessor renders its children only while this tab leads, released on unmount', async () => {
  const { fake, wrapper } = setup();
  function Badge() {
    const { isLeader } = useTaskLead();
    return h('span', { 'data-testid': 'badge' }, isLeader ? 'leads' : 'follows');
  }
  const view = render(h(wrapper, null,
    h(Badge), h(TaskProcessor, { fallback: h('p', null, 'another tab processes') }, h('p', null, 'processing here'))));
  assert.equal(fake.leads.length, 1, 'two components, one lead');
  assert.equal(screen.getByTestId('badge').textContent, 'follows');
  assert.ok(screen.getByText('another tab processes'));
  assert.equal(screen.queryByText('processing here'), null);

  act(() => fake.leads[0].grant());
  assert.equal(screen.getByTestId('badge').textContent, 'leads');
  assert.ok(screen.getByText('processing here'));
  assert.equal(screen.queryByText('another tab processes'), null);

  view.unmount();
  await waitFor(() => assert.equal(fake.leads[0].stopped, true, 'the last unmount stops (releases) the lead'));
});

test('a lead survives an unmount followed at once by a mount (StrictMode, route changes)', async () => {
  const { fake, wrapper } = setup();
  const Probe = () => h('i', null, String(useTaskLead().isLeader));
  const first = render(h(wrapper, null, h(Probe)));
  act(() => fake.leads[0].grant());
  first.rerender(h(wrapper, null, h('b', null, 'x')));
  first.rerender(h(wrapper, null, h(Probe)));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(fake.leads.length, 1);
  assert.equal(fake.leads[0].stopped, false);
  assert.ok(screen.getByText('true'));
});

test('a provider given options creates its client after mount and closes it on unmount', async () => {
  let client = null;
  const Probe = () => {
    client = useConveyor();
    return h('p', null, 'ready');
  };
  const options = {
    taskApiUrl: 'http://127.0.0.1:1', realtime: false, getToken: () => 'header.eyJzdWIiOiJ1MSJ9.sig',
    fetch: async () => new Response('[]', { status: 200, headers: { 'content-type': 'application/json' } }),
  };
  const qc = testQueryClient();
  const view = render(h(ConveyorProvider, { options, queryClient: qc, fallback: h('p', null, 'starting') }, h(Probe)));
  await waitFor(() => assert.ok(screen.getByText('ready')));
  assert.equal(await client.userId(), 'u1');
  view.unmount();
  assert.equal(client.connection.state, 'closed');
});
