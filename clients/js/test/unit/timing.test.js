import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay, pollDelay, timing } from '../../src/index.js';

const ALMOST_ONE = 0.999999;

test('the first retry comes within 1 s, whatever the jitter', () => {
  assert.equal(backoffDelay(0, () => 0), 0);
  assert.ok(backoffDelay(0, () => ALMOST_ONE) < 1000);
  assert.ok(backoffDelay(0, () => ALMOST_ONE) >= 999);
});

test('the ceiling doubles per attempt up to 30 s', () => {
  const ceilings = [0, 1, 2, 3, 4, 5, 6, 10, 50, 1e6].map((n) => backoffDelay(n, () => ALMOST_ONE) + 1);
  assert.deepEqual(ceilings.slice(0, 6), [1000, 2000, 4000, 8000, 16000, 30000]);
  for (const c of ceilings.slice(5)) assert.equal(c, 30000);
});

test('full jitter: delays spread over [0, ceiling), never above it', () => {
  const samples = Array.from({ length: 2000 }, () => backoffDelay(3));
  assert.ok(samples.every((d) => d >= 0 && d < 8000));
  assert.ok(Math.min(...samples) < 800, 'some retries come early');
  assert.ok(Math.max(...samples) > 7200, 'some come late');
});

test('dead mode polls every 5 s in a visible tab and every 15 s in a hidden one, each +- 1 s', () => {
  assert.equal(pollDelay(true, () => 0.5), 5000);
  assert.equal(pollDelay(true, () => 0), 4000);
  assert.equal(pollDelay(true, () => ALMOST_ONE), 6000);
  assert.equal(pollDelay(false, () => 0.5), 15000);
  assert.equal(pollDelay(false, () => 0), 14000);
  assert.equal(pollDelay(false, () => ALMOST_ONE), 16000);
  const visible = Array.from({ length: 1000 }, () => pollDelay(true));
  const hidden = Array.from({ length: 1000 }, () => pollDelay(false));
  assert.ok(visible.every((d) => d >= 4000 && d <= 6000));
  assert.ok(hidden.every((d) => d >= 14000 && d <= 16000));
  assert.ok(Math.max(...visible) - Math.min(...visible) > 1500, 'jittered');
});

test('the seeds\' numbers are the defaults', () => {
  assert.equal(timing.pingIntervalMs, 20000);
  assert.equal(timing.stallTimeoutMs, 10000);
  assert.equal(timing.leadIntervalMs, 5000);
  assert.equal(timing.leadLeaseMs, 6000);
  assert.equal(timing.backoffCapMs, 30000);
});
