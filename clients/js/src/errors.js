/**
 * Every failure the SDK reports: an RFC 9457 problem of a service ({status, code, title, detail}), a network failure
 * (code 'network', status 0), or a tracked task that ended badly (code 'task_failed' / 'task_cancelled', with `task`).
 */
export class ConveyorError extends Error {
  constructor({ status = 0, code = 'unknown', title = '', detail = '', type, instance, problem, task, cause } = {}) {
    super(detail ? `${code}: ${detail}` : title ? `${code}: ${title}` : code, cause === undefined ? undefined : { cause });
    this.name = 'ConveyorError';
    this.status = status;
    this.code = code;
    this.title = title;
    this.detail = detail;
    if (type !== undefined) this.type = type;
    if (instance !== undefined) this.instance = instance;
    if (problem !== undefined) this.problem = problem;
    if (task !== undefined) this.task = task;
  }
}

const STATUS_CODES = {
  400: 'bad_request', 401: 'unauthorized', 402: 'payment_required', 403: 'forbidden', 404: 'not_found',
  405: 'method_not_allowed', 409: 'conflict', 413: 'too_large', 422: 'validation_failed', 429: 'too_many_requests',
  500: 'internal_error', 502: 'bad_gateway', 503: 'unavailable', 504: 'gateway_timeout',
};

/**
 * A ConveyorError from an HTTP status and its body (already parsed JSON, text, or null). A problem+json body gives
 * code/title/detail; anything else gets a code derived from the status.
 */
export function problemError(status, body, statusText = '') {
  const problem = body && typeof body === 'object' && !Array.isArray(body) ? body : null;
  const code = (problem && typeof problem.code === 'string' && problem.code)
    || STATUS_CODES[status] || `http_${status}`;
  const title = (problem && typeof problem.title === 'string' && problem.title) || statusText || `HTTP ${status}`;
  let detail = problem && typeof problem.detail === 'string' ? problem.detail : '';
  if (!problem && typeof body === 'string') detail = body.slice(0, 500);
  return new ConveyorError({
    status, code, title, detail,
    type: problem && typeof problem.type === 'string' ? problem.type : undefined,
    instance: problem && typeof problem.instance === 'string' ? problem.instance : undefined,
    problem: problem || undefined,
  });
}

/** A ConveyorError from a fetch Response that is not ok (reads its body). */
export async function responseError(response) {
  let body = null;
  try {
    const text = await response.text();
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
  } catch {
    body = null;
  }
  return problemError(response.status, body, response.statusText);
}

/** A network failure (fetch rejected: offline, refused, DNS, CORS). */
export function networkError(cause, what = 'request') {
  const detail = `${what} failed: ${cause && cause.message ? cause.message : String(cause)}`;
  return new ConveyorError({ status: 0, code: 'network', title: 'Network error', detail, cause });
}

/** The error `track()` rejects with when a task ends in `failed` or `cancelled`. */
export function taskError(task) {
  const cancelled = task.status === 'cancelled';
  return new ConveyorError({
    status: 0,
    code: cancelled ? 'task_cancelled' : 'task_failed',
    title: cancelled ? 'Task cancelled' : 'Task failed',
    detail: task.errorMessage || `task ${task.id} ended ${task.status}`,
    task,
  });
}
