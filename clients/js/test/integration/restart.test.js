// A gateway restart in the middle of a run: the client resumes with recovered: true and refetches nothing beyond the
// keys the gateway replays.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { keys } from '../../src/index.js';
import { isPrefix } from '../../src/keys.js';
import { boundQueryClient, connect, converged, describeViews, gateway, grantCredits, imageTask, nextFrame, projectViews, user, waitFor } from './platform.js';

after(() => gateway('start')); // whatever happened, leave the gateway running for the next test file

test('after a gateway restart the client resumes with recovered: true and refetches only the replayed keys', { timeout: 300000 }, async (t) => {
  const me = user(2);
  await grantCredits(me.id, 100);
  const conveyor = connect(me);
  const frames = [];
  conveyor.onFrame((frame) => frames.push({ frame, at: Date.now() }));
  const invalidations = [];
  conveyor.onInvalidate((keyList, frame) => invalidations.push({ keys: keyList, frame, at: Date.now() }));
  const q = boundQueryClient(conveyor);
  try {
    const project = await conveyor.projects.create({ name: 'restart' });
    const shot = await conveyor.shots.create(project.id, { name: 'untouched' });
    const channel = `project:${project.id}`;
    await nextFrame(conveyor, (f) => f.type === 'subscribed' && f.channel === channel, () => conveyor.subscribe(channel));
    const views = projectViews(q, conveyor, project.id);
    // a view nothing in this test changes: only a blanket refresh (reset, recovery) would refetch it
    const shotView = q.watch('shot', keys.unifiedGenerationsShot(shot.id), () => conveyor.shots.generations(shot.id));
    await conveyor.tasks.createBatch([0, 1, 2].map((i) => imageTask(project.id, i)));
    await waitFor(() => converged(views, 3) && shotView(), { timeout: 90000, message: '3 tasks in the caches', describe: describeViews(views) });

    await gateway('stop');
    await waitFor(() => conveyor.connection.state !== 'live', { message: 'the client noticed' });
    // changes while the gateway is down
    await conveyor.tasks.createBatch([3, 4, 5, 6].map((i) => imageTask(project.id, i)));
    await waitFor(async () => (await conveyor.tasks.statusCounts(project.id)).complete === 7, { timeout: 90000, message: '7 complete (REST)' });

    const restartedAt = Date.now();
    await gateway('start');
    const ready = Date.now();
    const resumed = await waitFor(() => frames.find((f) => f.at >= restartedAt && f.frame.type === 'subscribed' && f.frame.channel === channel),
      { timeout: 90000, message: 'the resubscribe after the restart' });
    assert.equal(resumed.frame.recovered, true, 'resumed without loss');
    await waitFor(() => converged(views, 7), { timeout: 60000, message: '7 tasks in the caches', describe: describeViews(views) });

    const sinceResume = (list) => list.filter((x) => x.at >= resumed.at);
    assert.deepEqual(sinceResume(frames).filter((f) => f.frame.type === 'reset'), [], 'no reset');
    const afterResume = sinceResume(invalidations);
    assert.ok(afterResume.every((i) => i.frame.type === 'invalidate' && !i.frame.source), 'only the gateway\'s own invalidations');
    const replayed = afterResume.flatMap((i) => i.keys);
    const blind = invalidations.filter((i) => i.frame.source === 'blind').length;
    t.diagnostic(`gateway start took ${ready - restartedAt} ms; resumed ${resumed.at - ready} ms after it was ready; replayed ${JSON.stringify(replayed)}; ${blind} blind rounds during the outage; ${sinceResume(q.fetches).length} refetches since the resume`);
    for (const f of sinceResume(q.fetches)) {
      assert.ok(replayed.some((k) => isPrefix(k, f.key)), `${f.name} ${JSON.stringify(f.key)} was refetched without a replayed key (${JSON.stringify(replayed)})`);
    }
    assert.deepEqual(sinceResume(q.fetches).filter((f) => f.name === 'shot'), [], 'the untouched view was not refetched');
    assert.equal(conveyor.connection.state, 'live');
  } finally {
    q.close();
    conveyor.close();
  }
});
