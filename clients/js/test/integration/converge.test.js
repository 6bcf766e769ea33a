// A QueryClient bound to the SDK converges from realtime frames alone while 100 tasks run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { boundQueryClient, connect, converged, describeViews, grantCredits, imageTask, nextFrame, projectViews, user, waitFor } from './platform.js';

test('the caches of status counts, the first task page and the gallery converge from frames alone for 100 tasks', { timeout: 240000 }, async () => {
  const me = user(0);
  await grantCredits(me.id, 500);
  const conveyor = connect(me);
  const states = [];
  conveyor.connection.subscribe((s) => states.push(s));
  const invalidations = [];
  conveyor.onInvalidate((keys, frame) => invalidations.push({ keys, frame }));
  const q = boundQueryClient(conveyor);
  try {
    const project = await conveyor.projects.create({ name: 'converge' });
    const channel = `project:${project.id}`;
    await nextFrame(conveyor, (f) => f.type === 'subscribed' && f.channel === channel, () => conveyor.subscribe(channel));
    assert.equal(conveyor.connection.state, 'live');
    const views = projectViews(q, conveyor, project.id);
    await waitFor(() => views.counts() && views.page() && views.gallery(), { message: 'the first fetch' });
    assert.equal(views.page().total, 0);

    const created = await conveyor.tasks.createBatch(Array.from({ length: 100 }, (_, i) => imageTask(project.id, i)));
    assert.equal(created.items.length, 100);

    await waitFor(() => converged(views, 100), { timeout: 200000, message: '100 complete tasks and 100 generations in the caches', describe: describeViews(views) });

    // What the caches show is what the services say.
    assert.deepEqual(views.counts(), await conveyor.tasks.statusCounts(project.id));
    assert.equal((await conveyor.generations.list(project.id, { limit: 1 })).total, 100);
    // Only frames moved them: the socket never went down, nothing was polled, every refetch followed an invalidation.
    assert.deepEqual(states.filter((s) => s !== 'live'), [], `connection states: ${states}`);
    assert.ok(invalidations.length > 0);
    assert.ok(invalidations.every((i) => !i.frame.source), 'no dead-mode or recovery invalidation');
    const fetchesAfterMount = q.fetches.length - 3;
    assert.ok(fetchesAfterMount > 0 && fetchesAfterMount < invalidations.length * 3 + 1, `${fetchesAfterMount} refetches for ${invalidations.length} frames`);
  } finally {
    q.close();
    conveyor.close();
  }
});
