// The socket side: ref-counted subscriptions, resume positions, reconnect backoff, tokens, stall detection.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { harness, memoryStorage } from '../fakes.js';

const P = 'project:p1';

async function live(h, channel = P) {
  const off = h.conveyor.subscribe(channel);
  await h.clock.advance(0);
  h.ws.last.accept();
  return off;
}

test('subscriptions are reference-counted: one subscribe frame, an unsubscribe only when the last one goes', async () => {
  const h = harness();
  const a = h.conveyor.subscribe(P);
  const b = h.conveyor.subscribe(P);
  await h.clock.advance(0);
  assert.equal(h.ws.sockets.length, 1, 'one socket for the client');
  h.ws.last.accept();
  assert.deepEqual(h.ws.last.sentOf('subscribe'), [{ type: 'subscribe', channel: P }]);
  a();
  a();
  assert.deepEqual(h.ws.last.sentOf('unsubscribe'), []);
  b();
  assert.deepEqual(h.ws.last.sentOf('unsubscribe'), [{ type: 'unsubscribe', channel: P }]);
  h.conveyor.close();
});

test('the socket authenticates with a fresh token from getToken, and goes live on welcome', async () => {
  const h = harness();
  h.conveyor.subscribe(P);
  assert.equal(h.conveyor.connection.state, 'connecting');
  await h.clock.advance(0);
  h.ws.last.open();
  assert.deepEqual(h.ws.last.sent[0], { type: 'auth', token: h.tokens[0] });
  assert.equal(h.ws.last.url, 'ws://gw/v1/realtime');
  h.ws.last.receive({ type: 'welcome', userId: 'u1' });
  assert.equal(h.conveyor.connection.state, 'live');
  assert.deepEqual(h.states, ['live']);
  h.conveyor.close();
  assert.equal(h.conveyor.connection.state, 'closed');
});

test('invalidate frames reach onInvalidate with their keys; reset adds the channel\'s covering keys', async () => {
  const h = harness();
  await live(h);
  h.ws.last.receive({ type: 'invalidate', channel: P, keys: [['task-status-counts', 'p1'], ['task', 't1']], position: 'task-events:0:5' });
  h.ws.last.receive({ type: 'reset', channel: P, keys: [['tasks', 'paginated', 'p1']], position: 'task-events:0:9' });
  assert.deepEqual(h.invalidations[0].keys, [['task-status-counts', 'p1'], ['task', 't1']]);
  assert.equal(h.invalidations[0].frame.type, 'invalidate');
  const reset = h.invalidations[1];
  assert.equal(reset.frame.type, 'reset');
  for (const k of [['tasks', 'paginated', 'p1'], ['task-status-counts', 'p1'], ['task'], ['unified-generations', 'shot'], ['shots', 'p1']]) {
    assert.ok(reset.keys.some((x) => JSON.stringify(x) === JSON.stringify(k)), `reset drops ${JSON.stringify(k)}`);
  }
  h.conveyor.close();
});

test('a reconnect resumes every channel from its last position, with a fresh token', async () => {
  const h = harness();
  await live(h);
  h.conveyor.subscribe('user:u1');
  h.ws.last.receive({ type: 'subscribed', channel: P, position: 'task-events:0:3', recovered: false });
  h.ws.last.receive({ type: 'invalidate', channel: P, keys: [['task']], position: 'task-events:0:4' });
  h.ws.last.receive({ type: 'subscribed', channel: 'user:u1', position: 'account-events:1:7', recovered: false });
  h.ws.last.drop(1006);
  assert.equal(h.conveyor.connection.state, 'reconnecting');
  await h.clock.advance(1000);
  assert.equal(h.ws.sockets.length, 2);
  h.ws.last.accept();
  assert.equal(h.tokens.length, 2, 'getToken on the reconnect');
  assert.deepEqual(h.ws.last.sent[0], { type: 'auth', token: h.tokens[1] });
  assert.deepEqual(h.ws.last.sentOf('subscribe'), [
    { type: 'subscribe', channel: P, since: 'task-events:0:4' },
    { type: 'subscribe', channel: 'user:u1', since: 'account-events:1:7' },
  ]);
  h.conveyor.close();
});

test('positions are kept in sessionStorage: a new client in the same tab resumes', async () => {
  const storage = memoryStorage();
  const first = harness({ storage });
  await live(first);
  first.ws.last.receive({ type: 'invalidate', channel: P, keys: [['task']], position: 'task-events:2:40' });
  first.conveyor.close();
  const second = harness({ storage });
  await live(second);
  assert.deepEqual(second.ws.last.sentOf('subscribe'), [{ type: 'subscribe', channel: P, since: 'task-events:2:40' }]);
  second.conveyor.close();
});

test('reconnects back off exponentially with full jitter, capped at 30 s', async () => {
  const h = harness({ random: () => 0.999 });
  await live(h);
  h.ws.last.drop(1006);
  const waits = [];
  for (let i = 0; i < 8; i++) {
    const before = h.ws.sockets.length;
    let waited = 0;
    while (h.ws.sockets.length === before) {
      await h.clock.advance(100);
      waited += 100;
      assert.ok(waited <= 31000, 'never more than the cap');
    }
    waits.push(waited);
    h.ws.last.drop(1006); // refused again
  }
  assert.deepEqual(waits, [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  h.conveyor.close();
});

test('close 4401 reconnects at once with a fresh token; 1012 within a second', async () => {
  const h = harness({ random: () => 0.999 });
  await live(h);
  h.ws.last.drop(4401);
  await h.clock.advance(0);
  assert.equal(h.ws.sockets.length, 2, 'at once');
  assert.equal(h.tokens.length, 2);
  h.ws.last.accept();
  h.ws.last.drop(1012);
  await h.clock.advance(999);
  assert.equal(h.ws.sockets.length, 3, 'a restarting gateway is left at once (< 1 s)');
  h.conveyor.close();
});

test('close 4403 stops: no retry, state closed', async () => {
  const h = harness();
  await live(h);
  h.ws.last.drop(4403);
  await h.clock.advance(60000);
  assert.equal(h.ws.sockets.length, 1);
  assert.equal(h.conveyor.connection.state, 'closed');
});

test('stall detection: a ping every 20 s, no frame within 10 s after it -> reconnect', async () => {
  const h = harness({ routes: () => ({ body: { keys: [], position: 'x', reset: false } }) });
  await live(h);
  await h.clock.advance(20000);
  assert.equal(h.ws.last.sentOf('ping').length, 1);
  h.ws.last.receive({ type: 'pong', id: h.ws.last.sentOf('ping')[0].id });
  await h.clock.advance(20000);
  assert.equal(h.ws.last.sentOf('ping').length, 2);
  assert.equal(h.ws.sockets.length, 1, 'a pong keeps it');
  await h.clock.advance(9999);
  assert.equal(h.conveyor.connection.state, 'live');
  await h.clock.advance(1);
  assert.equal(h.ws.sockets[0].closedWith, 4000, 'the stalled socket is closed');
  assert.notEqual(h.conveyor.connection.state, 'live');
  await h.clock.advance(1000);
  assert.equal(h.ws.sockets.length, 2, 'and a new one opened');
  h.conveyor.close();
});

test('an attempt the server accepts but never welcomes is given up after 15 s', async () => {
  const h = harness({ random: () => 0 });
  h.conveyor.subscribe(P);
  await h.clock.advance(0);
  h.ws.last.open(); // TCP and upgrade fine, no welcome
  await h.clock.advance(14999);
  assert.equal(h.ws.sockets.length, 1);
  await h.clock.advance(1);
  assert.equal(h.ws.sockets[0].closedWith, 4000);
  await h.clock.advance(0);
  assert.equal(h.ws.sockets.length, 2, 'tried again');
  h.conveyor.close();
});

test('the browser\'s online event and a visible tab retry at once', async () => {
  const h = harness({ random: () => 0.999 });
  await live(h);
  h.ws.last.drop(1006);
  for (let i = 0; i < 4; i++) {
    await h.clock.advance(30000);
    h.ws.last.drop(1006);
  }
  const before = h.ws.sockets.length;
  h.env.online();
  await h.clock.advance(0);
  assert.equal(h.ws.sockets.length, before + 1, 'online: at once');
  h.ws.last.drop(1006);
  h.env.setVisible(false);
  h.env.setVisible(true);
  await h.clock.advance(0);
  assert.equal(h.ws.sockets.length, before + 2, 'visible: at once');
  h.conveyor.close();
});

test('a connection that stayed up resets the backoff', async () => {
  const h = harness({ random: () => 0.999 });
  await live(h);
  for (let i = 0; i < 4; i++) {
    const count = h.ws.sockets.length;
    h.ws.last.drop(1006);
    while (h.ws.sockets.length === count) await h.clock.advance(100);
  }
  h.ws.last.accept();
  await h.clock.advance(15000);
  h.ws.last.receive({ type: 'pong' });
  const before = h.ws.sockets.length;
  h.ws.last.drop(1006);
  await h.clock.advance(1000);
  assert.equal(h.ws.sockets.length, before + 1);
  h.conveyor.close();
});

test('close() stops the socket and every timer', async () => {
  const h = harness();
  await live(h);
  h.conveyor.close();
  assert.equal(h.ws.last.closedWith, 1000);
  assert.equal(h.clock.pending, 0);
  assert.deepEqual(h.states, ['live', 'closed']);
});

test('a refused subscribe is retried: unavailable until it works, forbidden three times (a project just created)', async () => {
  const h = harness({ random: () => 0 });
  await live(h);
  const subscribes = () => h.ws.last.sentOf('subscribe').length;
  for (let i = 0; i < 5; i++) {
    h.ws.last.receive({ type: 'error', code: 'unavailable', message: 'not ready', channel: P });
    await h.clock.advance(500);
  }
  assert.equal(subscribes(), 6);
  for (let i = 0; i < 5; i++) {
    h.ws.last.receive({ type: 'error', code: 'forbidden', message: 'not yours', channel: P });
    await h.clock.advance(500);
  }
  assert.equal(subscribes(), 9, 'forbidden: three more tries, then left refused');
  h.ws.last.receive({ type: 'subscribed', channel: P, position: 'a', recovered: false });
  h.ws.last.receive({ type: 'error', code: 'forbidden', message: 'not yours', channel: P });
  await h.clock.advance(500);
  assert.equal(subscribes(), 10, 'a subscribed starts the count over');
  h.ws.last.receive({ type: 'error', code: 'bad_position', message: 'x', channel: P });
  await h.clock.advance(5000);
  assert.equal(subscribes(), 10, 'other refusals are not retried');
  h.conveyor.close();
  assert.equal(h.clock.pending, 0);
});

test('onFrame sees every server frame', async () => {
  const h = harness();
  const frames = [];
  h.conveyor.onFrame((f) => frames.push(f.type));
  await live(h);
  h.ws.last.receive({ type: 'subscribed', channel: P, position: 'a', recovered: true });
  h.ws.last.receive({ type: 'error', code: 'bad_channel', message: 'x' });
  assert.deepEqual(frames, ['welcome', 'subscribed', 'error']);
  h.conveyor.close();
});
