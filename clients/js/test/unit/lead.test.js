// The per-tab lead: the state machine alone (fake clock), then wired to the socket's lead.changed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leadMachine } from '../../src/lead.js';
import { timing } from '../../src/index.js';
import { fakeClock, harness, memoryStorage } from '../fakes.js';

function machine({ answers = () => ({ leader: true, leaderClientId: 'me' }), visible = true } = {}) {
  const clock = fakeClock();
  const asks = [];
  const releases = [];
  const events = [];
  let isVisible = visible;
  const m = leadMachine({
    clientId: 'me',
    take: async (id) => {
      asks.push(clock.now());
      const a = answers(asks.length);
      if (a instanceof Error) throw a;
      return a;
    },
    release: async (id, o) => {
      releases.push({ id, ...o });
    },
    timers: clock, options: timing, isVisible: () => isVisible,
    onLead: () => events.push('lead'), onLose: () => events.push('lose'), onError: () => {},
  });
  return { m, clock, asks, releases, events, setVisible: (v) => { isVisible = v; m.visibility(v); } };
}

test('asks at once, then every 5 s; onLead once', async () => {
  const t = machine();
  const t0 = t.clock.now();
  await t.clock.advance(15000);
  assert.deepEqual(t.asks.map((a) => a - t0), [0, 5000, 10000, 15000]);
  assert.deepEqual(t.events, ['lead']);
  assert.equal(t.m.isLeader(), true);
});

test('another client leads: not leader, no callback', async () => {
  const t = machine({ answers: () => ({ leader: false, leaderClientId: 'other' }) });
  await t.clock.advance(10000);
  assert.equal(t.m.isLeader(), false);
  assert.equal(t.m.leaderClientId, 'other');
  assert.deepEqual(t.events, []);
});

test('losing it on a later ask calls onLose once', async () => {
  const t = machine({ answers: (n) => ({ leader: n < 3 }) });
  await t.clock.advance(20000);
  assert.deepEqual(t.events, ['lead', 'lose']);
});

test('asks that fail keep the lead only until its 6 s lease runs out', async () => {
  const t = machine({ answers: (n) => (n === 1 ? { leader: true } : new TypeError('offline')) });
  await t.clock.advance(5999);
  assert.equal(t.m.isLeader(), true);
  await t.clock.advance(1);
  assert.equal(t.m.isLeader(), false);
  assert.deepEqual(t.events, ['lead', 'lose']);
});

test('paused while hidden: no asks, the lease lapses; visible again asks at once', async () => {
  const t = machine();
  await t.clock.advance(100);
  t.setVisible(false);
  const asked = t.asks.length;
  await t.clock.advance(30000);
  assert.equal(t.asks.length, asked, 'no asks while hidden');
  assert.deepEqual(t.events, ['lead', 'lose'], 'the lease ran out');
  t.setVisible(true);
  await t.clock.advance(0);
  assert.equal(t.asks.length, asked + 1);
  assert.deepEqual(t.events, ['lead', 'lose', 'lead']);
});

test('poke (a lead.changed) asks at once and ends a lost lead at once', async () => {
  let leading = true;
  const t = machine({ answers: () => ({ leader: leading }) });
  await t.clock.advance(1000);
  leading = false;
  t.m.poke();
  await t.clock.advance(0);
  assert.equal(t.asks.length, 2);
  assert.equal(t.m.isLeader(), false);
  assert.deepEqual(t.events, ['lead', 'lose']);
});

test('stop() ends asking, calls onLose and releases after the ask in flight', async () => {
  let answer;
  const clock = fakeClock();
  const order = [];
  const m = leadMachine({
    clientId: 'me',
    take: () => new Promise((resolve) => { answer = resolve; order.push('ask'); }),
    release: async () => order.push('release'),
    timers: clock, options: timing, isVisible: () => true,
    onLead: () => order.push('lead'), onLose: () => order.push('lose'), onError: () => {},
  });
  await clock.advance(0);
  answer({ leader: true });
  await clock.advance(5000);
  assert.deepEqual(order, ['ask', 'lead', 'ask']);
  const stopped = m.stop();
  answer({ leader: true });
  await stopped;
  assert.deepEqual(order, ['ask', 'lead', 'ask', 'lose', 'release']);
  await clock.advance(20000);
  assert.equal(order.filter((o) => o === 'ask').length, 2);
  assert.equal(m.isLeader(), false);
});

test('pagehide gives the lead up with a keepalive release; pageshow asks again', async () => {
  const t = machine();
  await t.clock.advance(0);
  t.m.pageHide();
  assert.deepEqual(t.releases, [{ id: 'me', keepalive: true }]);
  assert.deepEqual(t.events, ['lead', 'lose']);
  await t.clock.advance(10000);
  assert.equal(t.asks.length, 1);
  t.m.pageShow();
  await t.clock.advance(0);
  assert.equal(t.asks.length, 2);
});

function leadRoutes(state) {
  return (call) => {
    if (call.path === '/v1/task-lead' && call.method === 'POST') {
      const { clientId } = call.body;
      if (!state.holder || state.holder === clientId) state.holder = clientId;
      return { body: { leader: state.holder === clientId, leaderClientId: state.holder, expiresAt: 'x' } };
    }
    if (call.path === '/v1/task-lead' && call.method === 'DELETE') {
      if (state.holder === call.query.clientId) state.holder = null;
      return { status: 204 };
    }
    return { status: 404, body: { code: 'not_found' } };
  };
}

test('conveyor.lead: POST /v1/task-lead with this tab\'s client id, subscribes the user channel, re-asks on ["task-lead", u]', async () => {
  const state = { holder: 'other-tab' };
  const storage = memoryStorage();
  const h = harness({ routes: leadRoutes(state), storage });
  const events = [];
  const lead = h.conveyor.lead({ onLead: () => events.push('lead'), onLose: () => events.push('lose') });
  await h.clock.advance(0);
  h.ws.last.accept();
  assert.deepEqual(h.ws.last.sentOf('subscribe'), [{ type: 'subscribe', channel: 'user:u1' }]);
  const posts = () => h.fetch.callsTo('POST', '/v1/task-lead');
  assert.equal(posts().length, 1);
  assert.equal(posts()[0].body.clientId, storage.getItem('conveyor.clientId'), 'the client id is kept in sessionStorage');
  assert.equal(lead.isLeader(), false);
  state.holder = null; // the other tab released
  h.ws.last.receive({ type: 'invalidate', channel: 'user:u1', keys: [['task-lead', 'u1']], position: 'account-events:0:2' });
  await h.clock.advance(0);
  assert.equal(posts().length, 2, 'asked at once, not at the next 5 s');
  assert.equal(lead.isLeader(), true);
  assert.deepEqual(events, ['lead']);
  await lead.stop();
  const del = h.fetch.callsTo('DELETE', '/v1/task-lead');
  assert.equal(del.length, 1);
  assert.equal(del[0].query.clientId, lead.clientId);
  assert.deepEqual(events, ['lead', 'lose']);
  assert.equal(state.holder, null);
  h.conveyor.close();
});

test('two clients of one user: exactly one leads; the other takes over at once after stop()', async () => {
  const state = { holder: null };
  const a = harness({ routes: leadRoutes(state) });
  const b = harness({ routes: leadRoutes(state) });
  assert.notEqual(a.conveyor.clientId, b.conveyor.clientId, 'headless: a random id per client');
  const la = a.conveyor.lead();
  await a.clock.advance(0);
  const lb = b.conveyor.lead();
  await b.clock.advance(0);
  a.ws.last.accept();
  b.ws.last.accept();
  assert.equal(la.isLeader(), true);
  assert.equal(lb.isLeader(), false);
  await la.stop();
  b.ws.last.receive({ type: 'invalidate', channel: 'user:u1', keys: [['task-lead', 'u1']], position: 'p' });
  await b.clock.advance(0);
  assert.equal(lb.isLeader(), true);
  a.conveyor.close();
  b.conveyor.close();
});
