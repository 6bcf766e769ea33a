// The studio's pure logic (no React, no network): messages for errors, the travel request, pipeline progress.
// Unit-tested by test/lib.test.js.

/** A sentence for a user about a failed request (a ConveyorError) or task (a failed / cancelled Task). */
export function describeError(error, { estimate, available } = {}) {
  if (!error) return '';
  if (typeof error.status === 'string') { // a Task, as a task callback's onError gets it
    return error.status === 'cancelled' ? 'The task was cancelled.' : error.errorMessage || 'The task failed.';
  }
  if (error.code === 'insufficient_credits') {
    const cost = estimate !== undefined ? ` — this costs ${estimate}` : '';
    const have = available !== undefined ? `, you have ${available} available` : '';
    return `Not enough credits${cost}${have}. Nothing was created: ask an admin to grant credits.`;
  }
  if (error.code === 'network') return 'Cannot reach the platform (offline, or a service is down). Try again.';
  return error.detail || error.title || error.message || 'Something went wrong.';
}

/** The travel_orchestrator input for a form's segments (prompt + frames each), optionally into a shot. */
export function travelInput(projectId, segments, { shotId, size = 128, fps = 8 } = {}) {
  const payload = {
    segments: segments.map((s) => ({ prompt: s.prompt.trim(), frames: Number(s.frames) || 8 })),
    width: size,
    height: size,
    fps,
  };
  if (shotId) payload.shot_id = shotId;
  return { projectId, taskType: 'travel_orchestrator', params: { full_orchestrator_payload: payload } };
}

const DONE = new Set(['complete']);
const ENDED = new Set(['complete', 'failed', 'cancelled']);

/**
 * Progress of a whole pipeline, 0..100: the orchestrator counts as one step and each child as one; a finished step is
 * 100 %, a running one its progress. Before the orchestrator created its children only its own step is known.
 */
export function pipelineProgress(parent, children = []) {
  const steps = [parent, ...children];
  const total = steps.reduce((sum, t) => sum + (DONE.has(t.status) ? 100 : t.status === 'in_progress' ? t.progress || 0 : 0), 0);
  return {
    percent: Math.round(total / steps.length),
    done: steps.filter((t) => DONE.has(t.status)).length,
    steps: steps.length,
    failed: steps.some((t) => t.status === 'failed'),
    ended: ENDED.has(parent.status) && children.every((t) => ENDED.has(t.status)),
  };
}

/** The progress bar value of a task row (0..100). */
export function taskPercent(task) {
  if (task.status === 'complete') return 100;
  if (task.status === 'in_progress') return task.progress || 0;
  return 0;
}

export const canCancel = (task) => ['waiting', 'queued', 'in_progress'].includes(task.status);
export const canRetry = (task) => task.status === 'failed' || task.status === 'cancelled';

/** The next free position at the end of a shot's ordered generations. */
export function nextPosition(shotGenerations = []) {
  return shotGenerations.reduce((max, g) => (g.position != null && g.position >= max ? g.position + 1 : max), 0);
}
