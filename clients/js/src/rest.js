// REST wrappers for the client API of task-api and generation-service (docs/rest.md, docs/generations-api.md).
import { uuid } from './util.js';

const enc = encodeURIComponent;
export const PENDING_STATUSES = ['waiting', 'queued', 'in_progress'];

/**
 * @param {Function} request  createHttp's request(baseUrl, method, path, options)
 * @param {{taskApiUrl: string, generationUrl: string, gatewayUrl: string}} urls
 */
export function restApi(request, { taskApiUrl, generationUrl, gatewayUrl }) {
  const task = (method, path, options) => request(taskApiUrl, method, path, options);
  const gen = (method, path, options) => request(generationUrl, method, path, options);
  const reads = { retries: 2 }; // GETs are safe to repeat after a network failure
  const counts = new Map(); // projectId -> {etag, body} for If-None-Match

  const withKey = (input) => ({ ...input, idempotencyKey: input.idempotencyKey ?? uuid() });

  const projects = {
    create: (body) => task('POST', '/v1/projects', { body }),
    list: () => task('GET', '/v1/projects', reads),
    get: (id) => task('GET', `/v1/projects/${enc(id)}`, reads),
    update: (id, body) => task('PATCH', `/v1/projects/${enc(id)}`, { body }),
    remove: (id) => task('DELETE', `/v1/projects/${enc(id)}`).then(() => undefined),
  };

  const tasks = {
    /** POST /v1/tasks with an idempotency key per call: a retried request never holds credits twice. */
    create: (input) => task('POST', '/v1/tasks', { body: withKey(input), retries: 2 }),
    createBatch: (inputs) => task('POST', '/v1/tasks/batch', { body: { tasks: inputs.map(withKey) }, retries: 2 }),
    get: (id) => task('GET', `/v1/tasks/${enc(id)}`, reads),
    list: (projectId, query = {}) => task('GET', `/v1/projects/${enc(projectId)}/tasks`, { ...reads, query }),
    /** GET /v1/tasks: the user's tasks across projects (`status` a list or comma string). */
    listAll: (query = {}) => task('GET', '/v1/tasks', { ...reads, query }),
    children: (id) => task('GET', `/v1/tasks/${enc(id)}/children`, reads),
    statusCounts(projectId) {
      const cached = counts.get(projectId);
      return task('GET', `/v1/projects/${enc(projectId)}/task-status-counts`, {
        ...reads,
        headers: cached ? { 'If-None-Match': cached.etag } : {},
        notModified: () => cached.body,
        onOk(response, body) {
          const etag = response.headers && typeof response.headers.get === 'function' ? response.headers.get('ETag') : null;
          if (etag && body) counts.set(projectId, { etag, body });
          else counts.delete(projectId);
        },
      });
    },
    cancel: (id) => task('POST', `/v1/tasks/${enc(id)}/cancel`),
    retry: (id) => task('POST', `/v1/tasks/${enc(id)}/retry`),
    estimate: (body) => task('POST', '/v1/tasks/estimate', { body }),
  };

  const account = {
    get: () => task('GET', '/v1/account', reads),
  };

  const admin = {
    grantCredits: (userId, body) => task('POST', `/v1/admin/accounts/${enc(userId)}/credits`, { body }),
  };

  const generations = {
    list: (projectId, query = {}) => gen('GET', `/v1/projects/${enc(projectId)}/generations`, { ...reads, query }),
    get: (id) => gen('GET', `/v1/generations/${enc(id)}`, reads),
    remove: (id) => gen('DELETE', `/v1/generations/${enc(id)}`).then(() => undefined),
    byTask: (taskId) => gen('GET', '/v1/generations', { ...reads, query: { taskId } }),
  };

  const shots = {
    create: (projectId, body) => gen('POST', `/v1/projects/${enc(projectId)}/shots`, { body }),
    list: (projectId) => gen('GET', `/v1/projects/${enc(projectId)}/shots`, reads),
    update: (id, body) => gen('PATCH', `/v1/shots/${enc(id)}`, { body }),
    remove: (id) => gen('DELETE', `/v1/shots/${enc(id)}`).then(() => undefined),
    generations: (id) => gen('GET', `/v1/shots/${enc(id)}/generations`, reads),
    /** Places a generation in the shot (position null = unpositioned). */
    place: (id, generationId, position = null) =>
      gen('PUT', `/v1/shots/${enc(id)}/generations/${enc(generationId)}`, { body: { position } }),
    unplace: (id, generationId) =>
      gen('DELETE', `/v1/shots/${enc(id)}/generations/${enc(generationId)}`).then(() => undefined),
    unpositionedCount: (id) => gen('GET', `/v1/shots/${enc(id)}/unpositioned-count`, reads),
  };

  /** GET /v1/changes: the keys changed on a channel since a position (the dead-mode call). */
  const changes = (channel, since) => request(gatewayUrl, 'GET', '/v1/changes', { query: { channel, since } });

  return { projects, tasks, account, admin, generations, shots, changes };
}
