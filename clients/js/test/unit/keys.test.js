// keys.* against the one list of canonical cache keys (contracts/.../cache-keys.json), which the gateway's own test
// also reads: a key renamed on either side fails here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { keys } from '../../src/index.js';
import { isPrefix, minimalCover, parseChannel } from '../../src/keys.js';

const contract = JSON.parse(readFileSync(new URL('../../../../contracts/src/main/resources/dev/conveyor/contracts/cache-keys.json', import.meta.url), 'utf8'));

const SAMPLES = {
  projectId: '11111111-1111-4111-8111-111111111111',
  taskId: '22222222-2222-4222-8222-222222222222',
  shotId: '33333333-3333-4333-8333-333333333333',
  userId: '44444444-4444-4444-8444-444444444444',
  page: 3,
};

const isParam = (segment) => /^\{\w+\}$/.test(segment);
const paramName = (segment) => segment.slice(1, -1);
const fill = (template) => template.map((s) => (isParam(s) ? SAMPLES[paramName(s)] : s));
const BUILDERS_OUTSIDE_THE_LIST = ['projectCovering', 'userCovering', 'covering'];

test('every key in cache-keys.json has a builder that returns it', () => {
  const names = Object.keys(contract.keys);
  assert.ok(names.length >= 9, 'the contract lists the keys');
  for (const name of names) {
    const template = contract.keys[name];
    assert.equal(typeof keys[name], 'function', `keys.${name} exists`);
    const params = template.filter(isParam).map((s) => {
      assert.ok(paramName(s) in SAMPLES, `a sample for ${s}`);
      return SAMPLES[paramName(s)];
    });
    assert.deepEqual(keys[name](...params), fill(template), `keys.${name}`);
  }
});

test('keys has no builder the contract does not list', () => {
  const extra = Object.keys(keys).filter((n) => !(n in contract.keys) && !BUILDERS_OUTSIDE_THE_LIST.includes(n));
  assert.deepEqual(extra, []);
});

test('the covering keys of a project and a user channel are the contract\'s', () => {
  const project = contract.covering.project.map(fill);
  const user = contract.covering.user.map(fill);
  assert.deepEqual(keys.projectCovering(SAMPLES.projectId), project);
  assert.deepEqual(keys.userCovering(SAMPLES.userId), user);
  assert.deepEqual(keys.covering(`project:${SAMPLES.projectId}`), project);
  assert.deepEqual(keys.covering(`user:${SAMPLES.userId}`), user);
  assert.deepEqual(keys.covering('shot:x'), []);
});

test('every key a channel can produce starts with one of its covering keys', () => {
  const project = keys.projectCovering(SAMPLES.projectId);
  const user = keys.userCovering(SAMPLES.userId);
  const projectKeys = ['tasksPaginated', 'taskStatusCounts', 'task', 'unifiedGenerationsProject', 'unifiedGenerationsShot', 'unpositionedCount', 'shots'];
  for (const name of Object.keys(contract.keys)) {
    const key = fill(contract.keys[name]);
    const cover = projectKeys.includes(name) ? project : user;
    assert.ok(cover.some((c) => isPrefix(c, key)), `${JSON.stringify(key)} is covered`);
  }
});

test('isPrefix is TanStack\'s partial match of array keys', () => {
  assert.equal(isPrefix(['tasks'], ['tasks', 'paginated', 'p', 1]), true);
  assert.equal(isPrefix(['tasks', 'paginated', 'p', 1], ['tasks', 'paginated', 'p', 1]), true);
  assert.equal(isPrefix(['tasks', 'paginated', 'q'], ['tasks', 'paginated', 'p', 1]), false);
  assert.equal(isPrefix(['tasks', 'paginated', 'p', 1], ['tasks']), false);
  assert.equal(isPrefix(['tasks', 'paginated', 'p', '1'], ['tasks', 'paginated', 'p', 1]), false);
});

test('minimalCover drops duplicates and keys another key covers', () => {
  assert.deepEqual(minimalCover([['task', 'a'], ['task'], ['task', 'b'], ['shots', 'p'], ['shots', 'p']]), [['task'], ['shots', 'p']]);
});

test('parseChannel accepts project: and user: only', () => {
  assert.deepEqual(parseChannel('project:abc'), { kind: 'project', id: 'abc' });
  assert.deepEqual(parseChannel('user:u'), { kind: 'user', id: 'u' });
  assert.equal(parseChannel('shot:s'), null);
  assert.equal(parseChannel('project:'), null);
  assert.equal(parseChannel(42), null);
});
