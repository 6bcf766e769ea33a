// A component tree on the hooks against the real platform: a task created with useCreateTask shows up as an image
// in the project gallery and in the counts, the credits move, and the callbacks fire once each — from realtime
// frames alone (staleTime Infinity: no query refetches unless an invalidation names it).
import { connect, app, env, grantCredits, imageTask, user, waitFor } from './platform.js';
import '../dom.js';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createElement as h } from 'react';
import { act, cleanup, render, screen } from '@testing-library/react';
import {
  useAccount, useConnectionState, useCreateTask, useGenerations, usePendingTasks, useStatusCounts, useTasks,
} from '../../src/index.js';

const me = user(0);
let conveyor;
let project;

before(async () => {
  await grantCredits(me.id, 100);
  conveyor = connect(me, env);
  project = await conveyor.projects.create({ name: 'react gallery' });
});

// (no cleanup() here: ../dom.js's after hook, registered first, has removed the DOM by then; each test cleans up)
after(() => conveyor.close());

function Studio({ projectId, calls }) {
  const state = useConnectionState();
  const counts = useStatusCounts(projectId);
  const failed = useTasks(projectId, { status: 'failed' });
  const gallery = useGenerations({ projectId });
  const account = useAccount();
  const pending = usePendingTasks();
  const create = useCreateTask({
    onQueued: (t) => calls.push(['queued', t.id]),
    onSuccess: (t) => calls.push(['success', t.id]),
    onError: (t) => calls.push(['error', t.id, t.errorMessage]),
  });
  return h('main', null,
    h('p', { 'data-testid': 'state' }, state),
    h('p', { 'data-testid': 'complete' }, String(counts.data?.complete ?? '')),
    h('p', { 'data-testid': 'failed' }, String(failed.data?.total ?? '')),
    h('p', { 'data-testid': 'available' }, String(account.data?.available ?? '')),
    h('p', { 'data-testid': 'pending' }, String(pending.data?.length ?? '')),
    h('p', { 'data-testid': 'error' }, create.error ? create.error.code : ''),
    h('ul', null, (gallery.data?.items || []).map((g) => h('li', { key: g.id }, h('img', { alt: g.id, src: g.location })))),
    h('button', { onClick: () => create.mutate(window.nextTask) }, 'create'));
}

const text = (id) => screen.getByTestId(id).textContent;

test('a created task reaches the gallery, counts, credits and callbacks through realtime alone', { timeout: 120000 }, async () => {
  const calls = [];
  const { queryClient, element } = app(conveyor, h(Studio, { projectId: project.id, calls }));
  render(element);
  await waitFor(() => text('state') === 'live' && text('complete') === '0' && text('available') === '100'
    && text('pending') === '0', { message: 'the first load, live', describe: () => document.body.innerHTML });

  window.nextTask = imageTask(project.id, 1, { work_ms: 500 });
  await act(async () => screen.getByText('create').click());
  await waitFor(() => document.querySelectorAll('main img').length === 1 && text('complete') === '1'
    && text('pending') === '0' && text('available') === String(100 - 1),
  { timeout: 60000, message: 'image, counts and credits after the task', describe: () => document.body.innerHTML });
  const [task] = calls.filter((c) => c[0] === 'success').map((c) => c[1]);
  assert.ok(task, `onSuccess fired: ${JSON.stringify(calls)}`);
  assert.equal(document.querySelector('main img').getAttribute('src').includes(task), true, 'the image is the task\'s output');
  await new Promise((r) => setTimeout(r, 1000)); // late frames must not fire a callback twice
  assert.deepEqual(calls, [['queued', task], ['success', task]]);
  const shown = queryClient.getQueryCache().getAll().filter((q) => q.getObserversCount() > 0);
  assert.deepEqual(shown.filter((q) => q.state.status !== 'success').map((q) => q.queryKey), [], 'every shown query loaded');
});

test('a task that fails for good: onError once, the failed list shows it, its credits come back', { timeout: 120000 }, async () => {
  const calls = [];
  const { element } = app(conveyor, h(Studio, { projectId: project.id, calls }));
  cleanup();
  render(element);
  await waitFor(() => text('state') === 'live' && text('failed') === '0' && text('available') !== '',
    { message: 'loaded', describe: () => document.body.innerHTML });
  const before = Number(text('available'));
  window.nextTask = imageTask(project.id, 2, { fail_permanently: true });
  await act(async () => screen.getByText('create').click());
  await waitFor(() => calls.some((c) => c[0] === 'error') && text('failed') === '1' && text('available') === String(before),
    { timeout: 60000, message: 'the failure seen', describe: () => `${JSON.stringify(calls)} ${document.body.innerHTML}` });
  await new Promise((r) => setTimeout(r, 1000));
  const errors = calls.filter((c) => c[0] === 'error');
  assert.equal(errors.length, 1);
  assert.match(errors[0][2], /fail_permanently/);
  assert.equal(calls.some((c) => c[0] === 'success'), false);
});

test('a create the credits cannot cover is the mutation\'s 402 error and changes nothing', { timeout: 60000 }, async () => {
  const poor = user(1); // no credits granted
  const poorClient = connect(poor, env);
  try {
    const poorProject = await poorClient.projects.create({ name: 'no credits' });
    const { element } = app(poorClient, h(Studio, { projectId: poorProject.id, calls: [] }));
    cleanup();
    render(element);
    await waitFor(() => text('complete') === '0', { message: 'loaded' });
    window.nextTask = imageTask(poorProject.id, 3);
    await act(async () => screen.getByText('create').click());
    await waitFor(() => text('error') === 'insufficient_credits', { message: 'the 402', describe: () => document.body.innerHTML });
    const counts = await poorClient.tasks.statusCounts(poorProject.id);
    assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), 0, 'no task was created');
  } finally {
    cleanup();
    poorClient.close();
  }
});
