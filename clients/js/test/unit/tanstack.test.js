// bindQueryClient with a real QueryClient (@tanstack/query-core): exactly the frame's keys, prefix matching.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QueryClient, QueryObserver } from '@tanstack/query-core';
import { keys } from '../../src/index.js';
import { bindQueryClient } from '../../src/tanstack.js';
import { harness } from '../fakes.js';

const P = 'p1';
const CH = `project:${P}`;

function queries(qc) {
  const fetches = new Map();
  const watched = {
    counts: keys.taskStatusCounts(P),
    page1: keys.tasksPaginated(P, 1),
    page2: keys.tasksPaginated(P, 2),
    gallery: keys.unifiedGenerationsProject(P),
    shot: keys.unifiedGenerationsShot('s1'),
    otherProject: keys.taskStatusCounts('p2'),
    account: keys.account('u1'),
  };
  const offs = [];
  for (const [name, queryKey] of Object.entries(watched)) {
    fetches.set(name, 0);
    const observer = new QueryObserver(qc, {
      queryKey, staleTime: Infinity, retry: false,
      queryFn: async () => {
        fetches.set(name, fetches.get(name) + 1);
        return name;
      },
    });
    offs.push(observer.subscribe(() => {}));
  }
  return { fetches, close: () => offs.forEach((o) => o()) };
}

async function settle(h) {
  for (let i = 0; i < 3; i++) await h.clock.advance(0);
}

test('an invalidate frame refetches exactly the queries its keys prefix, nothing else', async () => {
  const h = harness();
  const qc = new QueryClient();
  const q = queries(qc);
  const unbind = bindQueryClient(qc, h.conveyor);
  h.conveyor.subscribe(CH);
  await settle(h);
  h.ws.last.accept();
  const base = Object.fromEntries(q.fetches);
  assert.ok(Object.values(base).every((n) => n === 1), 'each fetched once on mount');
  h.ws.last.receive({ type: 'invalidate', channel: CH, keys: [keys.taskStatusCounts(P), keys.tasksPaginated(P, 1)], position: 'a' });
  await settle(h);
  assert.deepEqual(Object.fromEntries(q.fetches), { ...base, counts: 2, page1: 2 });
  h.ws.last.receive({ type: 'invalidate', channel: CH, keys: [['tasks'], ['unified-generations', 'shot']], position: 'b' });
  await settle(h);
  assert.deepEqual(Object.fromEntries(q.fetches), { ...base, counts: 2, page1: 3, page2: 2, shot: 2 });
  unbind();
  h.ws.last.receive({ type: 'invalidate', channel: CH, keys: [['tasks']], position: 'c' });
  await settle(h);
  assert.equal(q.fetches.get('page1'), 3, 'unbound');
  q.close();
  qc.clear();
  h.conveyor.close();
});

test('a reset refetches the channel\'s covering keys: the whole project, not other projects or the account', async () => {
  const h = harness();
  const qc = new QueryClient();
  const q = queries(qc);
  bindQueryClient(qc, h.conveyor);
  h.conveyor.subscribe(CH);
  await settle(h);
  h.ws.last.accept();
  h.ws.last.receive({ type: 'reset', channel: CH, keys: [], position: 'r' });
  await settle(h);
  assert.deepEqual(Object.fromEntries(q.fetches), { counts: 2, page1: 2, page2: 2, gallery: 2, shot: 2, otherProject: 1, account: 1 });
  q.close();
  qc.clear();
  h.conveyor.close();
});

test('bindQueryClient refuses what is not a QueryClient or a conveyor', () => {
  assert.throws(() => bindQueryClient({}, {}), TypeError);
  assert.throws(() => bindQueryClient(new QueryClient(), {}), TypeError);
});
