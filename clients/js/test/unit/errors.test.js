import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConveyorError, createConveyor } from '../../src/index.js';
import { problemError, responseError } from '../../src/errors.js';
import { fakeFetch, token } from '../fakes.js';

function client(routes, getToken = () => token('u1')) {
  const fetch = fakeFetch(routes);
  const conveyor = createConveyor({
    taskApiUrl: 'http://task', generationUrl: 'http://gen', gatewayUrl: 'http://gw', getToken, realtime: false, fetch,
    timers: { setTimeout: (fn) => setTimeout(fn, 0), clearTimeout, now: () => Date.now() }, onError: () => {},
  });
  return { conveyor, fetch };
}

test('a problem+json answer becomes a ConveyorError with status, code, title and detail', async () => {
  const response = new Response(JSON.stringify({
    type: 'https://conveyor.dev/problems/insufficient-credits', title: 'Insufficient credits', status: 402,
    detail: 'the task costs 4 credits, 1 available', code: 'insufficient_credits',
  }), { status: 402, headers: { 'Content-Type': 'application/problem+json' } });
  const e = await responseError(response);
  assert.ok(e instanceof ConveyorError);
  assert.ok(e instanceof Error);
  assert.equal(e.status, 402);
  assert.equal(e.code, 'insufficient_credits');
  assert.equal(e.title, 'Insufficient credits');
  assert.equal(e.detail, 'the task costs 4 credits, 1 available');
  assert.equal(e.type, 'https://conveyor.dev/problems/insufficient-credits');
  assert.match(e.message, /insufficient_credits/);
});

test('an answer that is not a problem still gets a code from its status', async () => {
  const e = await responseError(new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
  assert.equal(e.status, 502);
  assert.equal(e.code, 'bad_gateway');
  assert.equal(e.title, 'Bad Gateway');
  assert.match(e.detail, /bad gateway/);
  assert.equal(problemError(418, null).code, 'http_418');
  assert.equal(problemError(404, { title: 'Not Found' }).code, 'not_found');
});

test('REST calls reject with the service\'s problem', async () => {
  const { conveyor } = client(() => ({ status: 422, body: { title: 'Validation failed', status: 422, code: 'unknown_task_type', detail: 'no such type: x' } }));
  await assert.rejects(conveyor.tasks.create({ projectId: 'p', taskType: 'x', params: {} }), (e) => {
    assert.ok(e instanceof ConveyorError);
    assert.equal(e.status, 422);
    assert.equal(e.code, 'unknown_task_type');
    assert.equal(e.detail, 'no such type: x');
    return true;
  });
});

test('a network failure is code network, status 0', async () => {
  const { conveyor } = client(() => new TypeError('fetch failed'));
  await assert.rejects(conveyor.projects.create({ name: 'x' }), (e) => {
    assert.ok(e instanceof ConveyorError);
    assert.equal(e.code, 'network');
    assert.equal(e.status, 0);
    assert.ok(e.cause instanceof TypeError);
    return true;
  });
});

test('after a 401 the call is retried once with a fresh token from getToken', async () => {
  let issued = 0;
  const getToken = () => token('u1', { n: ++issued });
  const seen = [];
  const { conveyor } = client((call) => {
    seen.push(call.headers.Authorization);
    return seen.length === 1 ? { status: 401, body: { code: 'unauthorized', status: 401 } } : { body: { userId: 'u1', balance: 1, held: 0, available: 1 } };
  }, getToken);
  const account = await conveyor.account.get();
  assert.equal(account.available, 1);
  assert.equal(seen.length, 2);
  assert.notEqual(seen[0], seen[1], 'the retry carries the new token');
  assert.equal(issued, 2);
});

test('a second 401 is the caller\'s error (no loop)', async () => {
  let issued = 0;
  const { conveyor, fetch } = client(() => ({ status: 401, body: { code: 'unauthorized', title: 'Unauthorized', status: 401 } }), () => token('u1', { n: ++issued }));
  await assert.rejects(conveyor.account.get(), (e) => e.code === 'unauthorized' && e.status === 401);
  assert.equal(fetch.calls.length, 2);
});

test('the token is reused while valid and refreshed when it is about to expire', async () => {
  let issued = 0;
  const soon = Math.floor(Date.now() / 1000) + 10; // within the 30 s margin
  const { conveyor } = client(() => ({ body: [] }), () => (++issued === 1 ? token('u1', { exp: soon }) : token('u1', { exp: soon + 3600 })));
  await conveyor.projects.list();
  await conveyor.projects.list();
  await conveyor.projects.list();
  assert.equal(issued, 2, 'first token expiring soon, second one kept');
});

test('tasks.create sends a new idempotency key per call, and keeps one given', async () => {
  const { conveyor, fetch } = client((call) => ({ status: 201, body: { id: 't', projectId: 'p', status: 'queued', ...call.body } }));
  await conveyor.tasks.create({ projectId: 'p', taskType: 'single_image', params: { prompt: 'a' } });
  await conveyor.tasks.create({ projectId: 'p', taskType: 'single_image', params: { prompt: 'a' } });
  await conveyor.tasks.create({ projectId: 'p', taskType: 'single_image', params: { prompt: 'a' }, idempotencyKey: 'mine' });
  const keysSent = fetch.calls.map((c) => c.body.idempotencyKey);
  assert.match(keysSent[0], /^[0-9a-f-]{36}$/);
  assert.notEqual(keysSent[0], keysSent[1]);
  assert.equal(keysSent[2], 'mine');
});

test('a create that failed on the network is retried with the same idempotency key', async () => {
  const { conveyor, fetch } = client((call) => (fetch.calls.length === 1 ? new TypeError('socket hang up') : { status: 201, body: { id: 't', ...call.body } }));
  await conveyor.tasks.create({ projectId: 'p', taskType: 'single_image', params: {} });
  assert.equal(fetch.calls.length, 2);
  assert.equal(fetch.calls[0].body.idempotencyKey, fetch.calls[1].body.idempotencyKey);
});

test('status counts use the ETag: a 304 answers the last counts', async () => {
  const counts = { waiting: 0, queued: 1, inProgress: 0, complete: 2, failed: 0, cancelled: 0 };
  const { conveyor, fetch } = client((call) => (call.headers['If-None-Match'] === 'W/"7"' ? { status: 304 } : { body: counts, headers: { ETag: 'W/"7"' } }));
  assert.deepEqual(await conveyor.tasks.statusCounts('p'), counts);
  assert.deepEqual(await conveyor.tasks.statusCounts('p'), counts);
  assert.equal(fetch.calls[1].headers['If-None-Match'], 'W/"7"');
});
