// The canonical cache keys (contracts/src/main/resources/dev/conveyor/contracts/cache-keys.json is the one list;
// test/unit/keys.test.js checks every builder and the covering keys against it).

/** @param {string} projectId @param {number} page */
const tasksPaginated = (projectId, page) => ['tasks', 'paginated', projectId, page];
const taskStatusCounts = (projectId) => ['task-status-counts', projectId];
const task = (taskId) => ['task', taskId];
const unifiedGenerationsProject = (projectId) => ['unified-generations', 'project', projectId];
const unifiedGenerationsShot = (shotId) => ['unified-generations', 'shot', shotId];
const unpositionedCount = (shotId) => ['unpositioned-count', shotId];
const shots = (projectId) => ['shots', projectId];
const account = (userId) => ['account', userId];
const taskLead = (userId) => ['task-lead', userId];

/** Covering keys of a project channel: every key its events can produce starts with one of these. */
const projectCovering = (projectId) => [
  ['tasks', 'paginated', projectId],
  ['task-status-counts', projectId],
  ['task'],
  ['unified-generations', 'project', projectId],
  ['unified-generations', 'shot'],
  ['unpositioned-count'],
  ['shots', projectId],
];

/** Covering keys of a user channel. */
const userCovering = (userId) => [
  ['account', userId],
  ['task-lead', userId],
];

/** Covering keys of a channel name (`project:<id>` / `user:<id>`); [] for anything else. */
function covering(channel) {
  const parsed = parseChannel(channel);
  if (!parsed) return [];
  return parsed.kind === 'project' ? projectCovering(parsed.id) : userCovering(parsed.id);
}

export const keys = Object.freeze({
  tasksPaginated,
  taskStatusCounts,
  task,
  unifiedGenerationsProject,
  unifiedGenerationsShot,
  unpositionedCount,
  shots,
  account,
  taskLead,
  projectCovering,
  userCovering,
  covering,
});

/** `project:<id>` -> {kind: 'project', id}; null when not a channel name. */
export function parseChannel(channel) {
  if (typeof channel !== 'string') return null;
  const colon = channel.indexOf(':');
  if (colon < 0) return null;
  const kind = channel.slice(0, colon);
  const id = channel.slice(colon + 1);
  if ((kind !== 'project' && kind !== 'user') || !id) return null;
  return { kind, id };
}

/** Whether `prefix` is a prefix of (or equal to) `key` (TanStack's partial matching of array keys). */
export function isPrefix(prefix, key) {
  if (!Array.isArray(prefix) || !Array.isArray(key) || prefix.length > key.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== key[i]) return false;
  return true;
}

/** Duplicates removed, and a key dropped when another key of the set is its prefix (as the gateway coalesces). */
export function minimalCover(list) {
  const unique = [];
  const seen = new Set();
  for (const k of list) {
    const id = JSON.stringify(k);
    if (!seen.has(id)) {
      seen.add(id);
      unique.push(k);
    }
  }
  return unique.filter((k) => !unique.some((other) => other !== k && other.length < k.length && isPrefix(other, k)));
}
