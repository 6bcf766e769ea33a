// With the gateway stopped the client shows 'polling' and its caches still converge.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { boundQueryClient, connect, converged, describeViews, gateway, grantCredits, imageTask, nextFrame, projectViews, user, waitFor } from './platform.js';

after(() => gateway('start'));

test('with the gateway down the client polls, its caches converge, and it is live again once the gateway is back', { timeout: 300000 }, async (t) => {
  const me = user(3);
  await grantCredits(me.id, 100);
  const conveyor = connect(me);
  const states = [];
  conveyor.connection.subscribe((s) => states.push(s));
  const q = boundQueryClient(conveyor);
  try {
    const project = await conveyor.projects.create({ name: 'dead mode' });
    const channel = `project:${project.id}`;
    await nextFrame(conveyor, (f) => f.type === 'subscribed' && f.channel === channel, () => conveyor.subscribe(channel));
    const views = projectViews(q, conveyor, project.id);
    await waitFor(() => views.counts() && views.page() && views.gallery(), { message: 'the first fetch' });

    await gateway('stop');
    await waitFor(() => conveyor.connection.state === 'polling', { timeout: 30000, message: "state 'polling'" });

    await conveyor.tasks.createBatch([0, 1, 2, 3, 4].map((i) => imageTask(project.id, i)));
    await waitFor(() => converged(views, 5), { timeout: 120000, message: '5 tasks in the caches while the gateway is down', describe: describeViews(views) });
    assert.equal(conveyor.connection.state, 'polling', 'converged while still polling');
    assert.ok(states.includes('polling'));

    const startAsked = Date.now();
    await gateway('start');
    const ready = Date.now();
    await waitFor(() => conveyor.connection.state === 'live', { timeout: 90000, message: 'live again' });
    t.diagnostic(`states ${states.join(' > ')}; gateway start took ${ready - startAsked} ms, live ${Date.now() - ready} ms after it was ready`);
  } finally {
    q.close();
    conveyor.close();
  }
});
