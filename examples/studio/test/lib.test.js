// The studio's pure logic: the sentences users read, the travel request it sends, the pipeline's progress.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConveyorError } from '@conveyor/client';
import { canCancel, canRetry, describeError, nextPosition, pipelineProgress, travelInput } from '../src/lib.js';

test('a 402 says what it costs, what is available and that nothing was created', () => {
  const e = new ConveyorError({ status: 402, code: 'insufficient_credits', detail: 'needs 4, available 1' });
  assert.equal(describeError(e, { estimate: 4, available: 1 }),
    'Not enough credits — this costs 4, you have 1 available. Nothing was created: ask an admin to grant credits.');
  assert.equal(describeError(e), 'Not enough credits. Nothing was created: ask an admin to grant credits.');
});

test('a failed task reads as its error message, a cancelled one as cancelled, other errors as their detail', () => {
  assert.equal(describeError({ status: 'failed', errorMessage: 'fail_permanently requested (attempt 1)' }),
    'fail_permanently requested (attempt 1)');
  assert.equal(describeError({ status: 'cancelled', errorMessage: null }), 'The task was cancelled.');
  assert.equal(describeError(new ConveyorError({ status: 0, code: 'network' })),
    'Cannot reach the platform (offline, or a service is down). Try again.');
  assert.equal(describeError(new ConveyorError({ status: 422, code: 'validation_failed', detail: 'prompt is required' })),
    'prompt is required');
});

test('the travel request carries the segments, the size and the shot', () => {
  const input = travelInput('p1', [{ prompt: ' a beach ', frames: '6' }, { prompt: 'a city', frames: 4 }], { shotId: 's1' });
  assert.deepEqual(input, {
    projectId: 'p1',
    taskType: 'travel_orchestrator',
    params: { full_orchestrator_payload: {
      segments: [{ prompt: 'a beach', frames: 6 }, { prompt: 'a city', frames: 4 }], width: 128, height: 128, fps: 8, shot_id: 's1',
    } },
  });
  assert.equal('shot_id' in travelInput('p1', [{ prompt: 'x', frames: 2 }]).params.full_orchestrator_payload, false);
});

test('pipeline progress counts the orchestrator and every child, running ones by their progress', () => {
  const parent = { status: 'complete' };
  const progress = pipelineProgress(parent, [
    { status: 'complete' }, { status: 'in_progress', progress: 50 }, { status: 'waiting' },
  ]);
  assert.deepEqual(progress, { percent: 63, done: 2, steps: 4, failed: false, ended: false });
  assert.equal(pipelineProgress({ status: 'in_progress', progress: 10 }).percent, 10);
  const failed = pipelineProgress(parent, [{ status: 'failed' }, { status: 'cancelled' }]);
  assert.equal(failed.failed, true);
  assert.equal(failed.ended, true);
});

test('cancel while not ended, retry once failed or cancelled; the next shot position is after the last', () => {
  assert.deepEqual(['waiting', 'queued', 'in_progress', 'complete', 'failed'].map((status) => canCancel({ status })),
    [true, true, true, false, false]);
  assert.deepEqual(['in_progress', 'complete', 'failed', 'cancelled'].map((status) => canRetry({ status })),
    [false, false, true, true]);
  assert.equal(nextPosition([]), 0);
  assert.equal(nextPosition([{ position: 0 }, { position: 3 }, { position: null }]), 4);
});
