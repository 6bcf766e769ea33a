// Two clients of one user: exactly one leads; the other leads within 7 s after the first calls stop().
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connect, user, waitFor } from './platform.js';

test('two clients of one user: exactly one leads, and the other takes over within 7 s of stop()', { timeout: 120000 }, async () => {
  const me = user(4);
  const a = connect(me);
  const b = connect(me);
  const events = { a: [], b: [] };
  const leadA = a.lead({ onLead: () => events.a.push('lead'), onLose: () => events.a.push('lose') });
  const leadB = b.lead({ onLead: () => events.b.push('lead'), onLose: () => events.b.push('lose') });
  let both = 0;
  const watch = setInterval(() => {
    if (leadA.isLeader() && leadB.isLeader()) both++;
  }, 20);
  try {
    assert.notEqual(a.clientId, b.clientId);
    // both have an answer naming the same leader, and that one alone believes it leads
    await waitFor(() => leadA.leaderClientId && leadA.leaderClientId === leadB.leaderClientId
      && leadA.isLeader() !== leadB.isLeader(), { timeout: 30000, message: 'one agreed leader' });
    const [leader, other, leaderEvents, otherEvents] = leadA.isLeader()
      ? [leadA, leadB, events.a, events.b] : [leadB, leadA, events.b, events.a];
    assert.equal(leader.leaderClientId, leader.clientId);
    // the user channel is live on both (lead.changed reaches them)
    await waitFor(() => a.connection.state === 'live' && b.connection.state === 'live', { message: 'both live' });

    const stoppedAt = Date.now();
    await leader.stop();
    await waitFor(() => other.isLeader(), { timeout: 7000, message: 'the other client leads within 7 s' });
    const tookOver = Date.now() - stoppedAt;
    assert.ok(tookOver < 7000, `took over after ${tookOver} ms`);
    assert.equal(leader.isLeader(), false);
    assert.deepEqual(leaderEvents, ['lead', 'lose']);
    assert.deepEqual(otherEvents, ['lead']);
    assert.equal(both, 0, 'never two leaders at once');
  } finally {
    clearInterval(watch);
    await Promise.all([leadA.stop(), leadB.stop()]);
    a.close();
    b.close();
  }
});
