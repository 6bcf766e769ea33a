// Dead mode: GET /v1/changes per subscribed channel while the socket is down (or realtime is off).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { harness } from '../fakes.js';

const P = 'project:p1';

function changesRoute(answers) {
  return (call) => {
    if (call.path !== '/v1/changes') return { status: 404, body: { code: 'not_found' } };
    const next = answers.shift();
    return typeof next === 'function' ? next(call) : next || { body: { keys: [], position: call.query.since || 'pos0', reset: false } };
  };
}

async function liveThenDown(h) {
  h.conveyor.subscribe(P);
  await h.clock.advance(0);
  h.ws.last.accept();
  h.ws.last.receive({ type: 'subscribed', channel: P, position: 'task-events:0:10', recovered: false });
  h.ws.last.drop(1006);
}

const pollTimes = (h) => h.fetch.callsTo('GET', '/v1/changes').map((c) => c.at);

function stamp(h) {
  const original = h.fetch.calls.push.bind(h.fetch.calls);
  h.fetch.calls.push = (call) => original({ ...call, at: h.clock.now() });
}

test('realtime: false polls /v1/changes at once, then every 5 s +- 1 s while visible; state polling; no socket', async () => {
  const h = harness({ realtime: false, routes: changesRoute([]), random: () => 0.25 });
  stamp(h);
  const t0 = h.clock.now();
  h.conveyor.subscribe(P);
  await h.clock.advance(0);
  assert.equal(h.conveyor.connection.state, 'polling');
  await h.clock.advance(20000);
  assert.equal(h.ws.sockets.length, 0);
  const times = pollTimes(h).map((t) => t - t0);
  assert.deepEqual(times, [0, 4500, 9000, 13500, 18000], 'random 0.25 -> 5 s - 0.5 s');
  h.conveyor.close();
});

test('a hidden tab polls every 15 s +- 1 s', async () => {
  const h = harness({ realtime: false, routes: changesRoute([]), visible: false, random: () => 0.75 });
  stamp(h);
  const t0 = h.clock.now();
  h.conveyor.subscribe(P);
  await h.clock.advance(40000);
  assert.deepEqual(pollTimes(h).map((t) => t - t0), [0, 15500, 31000]);
  h.conveyor.close();
});

test('when the socket drops, dead mode starts after one interval, asks from the last position and applies the keys', async () => {
  const answer = { body: { keys: [['task-status-counts', 'p1'], ['task', 't9']], position: 'task-events:0:12', reset: false } };
  const h = harness({ routes: changesRoute([answer]), random: () => 0.5 });
  await liveThenDown(h);
  assert.equal(h.conveyor.connection.state, 'reconnecting');
  // every reconnect attempt is refused
  for (let t = 0; t < 5000; t += 250) {
    await h.clock.advance(250);
    if (h.ws.last.readyState === 0) h.ws.last.drop(1006);
  }
  assert.equal(h.conveyor.connection.state, 'polling');
  const polls = h.fetch.callsTo('GET', '/v1/changes');
  assert.equal(polls.length, 1);
  assert.deepEqual(polls[0].query, { channel: P, since: 'task-events:0:10' });
  const got = h.invalidations.at(-1);
  assert.deepEqual(got.keys, [['task-status-counts', 'p1'], ['task', 't9']]);
  assert.equal(got.frame.source, 'poll');
  assert.equal(h.conveyor.position(P), 'task-events:0:12');
  h.conveyor.close();
});

test('a /v1/changes reset invalidates the channel\'s covering keys', async () => {
  const h = harness({ realtime: false, routes: changesRoute([{ body: { keys: [['shots', 'p1']], position: 'x', reset: true } }]) });
  h.conveyor.subscribe(P);
  await h.clock.advance(0);
  const got = h.invalidations.at(-1);
  assert.equal(got.frame.type, 'reset');
  assert.ok(got.keys.some((k) => k[0] === 'task-status-counts'));
  assert.ok(got.keys.some((k) => k[0] === 'unified-generations'));
  h.conveyor.close();
});

test('with the gateway unreachable, each round invalidates the covering keys (caches still converge)', async () => {
  const h = harness({ realtime: false, routes: () => new TypeError('connect ECONNREFUSED') });
  h.conveyor.subscribe(P);
  await h.clock.advance(0);
  await h.clock.advance(6000);
  const blind = h.invalidations.filter((i) => i.frame.source === 'blind');
  assert.equal(blind.length, 2);
  assert.ok(blind[0].keys.some((k) => JSON.stringify(k) === JSON.stringify(['task-status-counts', 'p1'])));
  h.conveyor.close();
});

test('a refusal (404) is not taken for an outage: no blind invalidation', async () => {
  const h = harness({ realtime: false, routes: () => ({ status: 404, body: { code: 'not_found' } }) });
  h.conveyor.subscribe(P);
  await h.clock.advance(6000);
  assert.equal(h.invalidations.length, 0);
  h.conveyor.close();
});

test('when the gateway answers again after an outage, the socket reconnects at once', async () => {
  let up = false;
  const h = harness({ routes: () => (up ? { body: { keys: [], position: 'task-events:0:10', reset: false } } : new TypeError('refused')), random: () => 0.999 });
  await liveThenDown(h);
  for (let i = 0; i < 6; i++) {
    await h.clock.advance(30000);
    if (h.ws.last.readyState === 0) h.ws.last.drop(1006);
  }
  assert.equal(h.conveyor.connection.state, 'polling');
  up = true;
  const before = h.ws.sockets.length;
  await h.clock.advance(6000); // one poll round
  assert.equal(h.ws.sockets.length, before + 1, 'reconnected on the poll that answered');
  h.ws.last.accept();
  assert.equal(h.conveyor.connection.state, 'live');
  const since = h.fetch.callsTo('GET', '/v1/changes').length;
  await h.clock.advance(30000);
  h.ws.last.receive({ type: 'pong' });
  assert.equal(h.fetch.callsTo('GET', '/v1/changes').length, since, 'no polling while live');
  h.conveyor.close();
});

test('a gateway whose server answers again, even 503 while it warms up, is reconnected to at once', async () => {
  let answer = () => new TypeError('refused');
  const h = harness({ routes: () => answer(), random: () => 0.999 });
  await liveThenDown(h);
  for (let i = 0; i < 6; i++) {
    await h.clock.advance(30000);
    if (h.ws.last.readyState === 0) h.ws.last.drop(1006);
  }
  answer = () => ({ status: 503, body: { code: 'unavailable', status: 503 } });
  const before = h.ws.sockets.length;
  const blindBefore = h.invalidations.filter((i) => i.frame.source === 'blind').length;
  await h.clock.advance(6000);
  assert.equal(h.ws.sockets.length, before + 1);
  assert.equal(h.invalidations.filter((i) => i.frame.source === 'blind').length, blindBefore + 1, 'a 503 is still an outage for the caches');
  h.conveyor.close();
});

test('a tab that becomes visible in dead mode invalidates the covering keys once and reconnects at once', async () => {
  const h = harness({ routes: () => new TypeError('refused'), random: () => 0.999, visible: false });
  await liveThenDown(h);
  for (let i = 0; i < 3; i++) {
    await h.clock.advance(16000);
    if (h.ws.last.readyState === 0) h.ws.last.drop(1006);
  }
  assert.equal(h.conveyor.connection.state, 'polling');
  const before = h.ws.sockets.length;
  const invalidationsBefore = h.invalidations.length;
  h.env.setVisible(true);
  const recovery = h.invalidations.slice(invalidationsBefore);
  assert.equal(recovery.length, 1);
  assert.equal(recovery[0].frame.source, 'visibility');
  assert.ok(recovery[0].keys.some((k) => k[0] === 'tasks'));
  await h.clock.advance(0);
  assert.equal(h.ws.sockets.length, before + 1);
  h.conveyor.close();
});

test('a poll answer that arrives after the socket is live again is dropped', async () => {
  let release;
  const h = harness({ realtime: true, routes: () => new Promise((resolve) => { release = () => resolve({ body: { keys: [['shots', 'p1']], position: 'old', reset: false } }); }), random: () => 0.5 });
  await liveThenDown(h);
  for (let t = 0; t < 5500; t += 250) {
    await h.clock.advance(250);
    if (h.ws.last.readyState === 0) h.ws.last.drop(1006);
  }
  assert.ok(release, 'a poll is in flight');
  h.conveyor.connection.reconnect();
  await h.clock.advance(0);
  h.ws.last.accept();
  h.ws.last.receive({ type: 'subscribed', channel: P, position: 'new', recovered: true });
  const before = h.invalidations.length;
  release();
  await h.clock.advance(0);
  assert.equal(h.invalidations.length, before);
  assert.equal(h.conveyor.position(P), 'new');
  h.conveyor.close();
});
