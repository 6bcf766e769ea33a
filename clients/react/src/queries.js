// Query hooks: each reads through the SDK under the canonical key (keys.*) the gateway sends when that data changes,
// and subscribes the channel that carries it, so the provider's bindQueryClient refetches it with no extra code.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { keys } from '@conveyor/client';
import { useConveyor, useUserId } from './context.js';
import { useChannel, useDerivedInvalidation, useProjectChannel } from './channels.js';

/** Task keys of one project's lists; the gateway invalidates only page 1 of `["tasks","paginated",p]`. */
function isTaskListKey(projectId, key) {
  return key[0] === 'tasks' && key[1] === 'paginated' && (key.length < 3 || key[2] === projectId);
}

/** One task (`["task", id]`); its project's channel is subscribed once the task is known. */
export function useTask(taskId, options = {}) {
  const conveyor = useConveyor();
  const query = useQuery({
    queryKey: keys.task(taskId || ''),
    queryFn: () => conveyor.tasks.get(taskId),
    ...options,
    enabled: Boolean(taskId) && options.enabled !== false,
  });
  useProjectChannel(query.data?.projectId);
  return query;
}

/**
 * A page of a project's tasks, newest first: `keys.tasksPaginated(p, page)`, with `{status, taskType, limit}`
 * appended when given (still under the canonical key, so the same frames refetch it). Later pages are refreshed too
 * whenever page 1 is (the gateway only names page 1). The previous page stays shown while the next one loads.
 */
export function useTasks(projectId, { status, taskType, page = 1, limit } = {}, options = {}) {
  const conveyor = useConveyor();
  const filters = status !== undefined || taskType !== undefined || limit !== undefined;
  const queryKey = filters
    ? [...keys.tasksPaginated(projectId || '', page), { status, taskType, limit }]
    : keys.tasksPaginated(projectId || '', page);
  useProjectChannel(projectId);
  useDerivedInvalidation(queryKey, (k) => isTaskListKey(projectId, k), Boolean(projectId) && page > 1);
  return useQuery({
    queryKey,
    queryFn: () => conveyor.tasks.list(projectId, { status, taskType, page, limit }),
    placeholderData: keepPreviousData,
    ...options,
    enabled: Boolean(projectId) && options.enabled !== false,
  });
}

/** `{waiting, queued, inProgress, complete, failed, cancelled}` of a project (`keys.taskStatusCounts`). */
export function useStatusCounts(projectId, options = {}) {
  const conveyor = useConveyor();
  useProjectChannel(projectId);
  return useQuery({
    queryKey: keys.taskStatusCounts(projectId || ''),
    queryFn: () => conveyor.tasks.statusCounts(projectId),
    ...options,
    enabled: Boolean(projectId) && options.enabled !== false,
  });
}

/** The key of usePendingTasks (the gateway has none for it: it is derived from task and account keys). */
export const pendingTasksKey = (userId) => ['pending-tasks', userId];

/**
 * The user's waiting / queued / in-progress tasks across projects. Refetched when the user's account changes (every
 * create holds credits, every end settles them) and on any task key of a subscribed project.
 */
export function usePendingTasks(options = {}) {
  const conveyor = useConveyor();
  const userId = useUserId();
  const queryKey = pendingTasksKey(userId || '');
  useChannel(userId ? `user:${userId}` : null);
  useDerivedInvalidation(queryKey, (k) => (k[0] === 'account' && (k.length < 2 || k[1] === userId))
    || k[0] === 'task' || k[0] === 'tasks' || k[0] === 'task-status-counts', Boolean(userId));
  return useQuery({
    queryKey,
    queryFn: () => conveyor.pendingTasks(),
    ...options,
    enabled: Boolean(userId) && options.enabled !== false,
  });
}

/**
 * Generations of a project (`{projectId}`, a Page, `keys.unifiedGenerationsProject` + the query when given) or of a
 * shot (`{shotId}`, an array ordered by position, `keys.unifiedGenerationsShot`). Pass the shot's `projectId` too so
 * its channel is subscribed from the start (otherwise it is learnt from the first generation listed).
 */
export function useGenerations(target, query, options = {}) {
  const conveyor = useConveyor();
  const shotId = target && target.shotId;
  const projectId = target && target.projectId;
  const queryKey = shotId
    ? keys.unifiedGenerationsShot(shotId)
    : query ? [...keys.unifiedGenerationsProject(projectId || ''), query] : keys.unifiedGenerationsProject(projectId || '');
  const result = useQuery({
    queryKey,
    queryFn: () => (shotId ? conveyor.shots.generations(shotId) : conveyor.generations.list(projectId, query)),
    ...options,
    enabled: Boolean(shotId || projectId) && options.enabled !== false,
  });
  const learnt = shotId && Array.isArray(result.data) && result.data[0] ? result.data[0].projectId : undefined;
  useProjectChannel(projectId || learnt);
  return result;
}

/** How many generations of a shot have no position yet (a number; `keys.unpositionedCount`). */
export function useUnpositionedCount(shotId, { projectId } = {}, options = {}) {
  const conveyor = useConveyor();
  useProjectChannel(projectId);
  return useQuery({
    queryKey: keys.unpositionedCount(shotId || ''),
    queryFn: () => conveyor.shots.unpositionedCount(shotId),
    select: (answer) => answer.count,
    ...options,
    enabled: Boolean(shotId) && options.enabled !== false,
  });
}

/** The shots of a project (`keys.shots`). */
export function useShots(projectId, options = {}) {
  const conveyor = useConveyor();
  useProjectChannel(projectId);
  return useQuery({
    queryKey: keys.shots(projectId || ''),
    queryFn: () => conveyor.shots.list(projectId),
    ...options,
    enabled: Boolean(projectId) && options.enabled !== false,
  });
}

/** The key of useProjects (no realtime key exists for the project list: mutations invalidate it). */
export const projectsKey = () => ['projects'];

/** The user's projects; refetched on window focus after 30 s, and when a mutation invalidates `projectsKey()`. */
export function useProjects(options = {}) {
  const conveyor = useConveyor();
  return useQuery({ queryKey: projectsKey(), queryFn: () => conveyor.projects.list(), staleTime: 30_000, ...options });
}

/** The user's credits `{balance, held, available}` (`keys.account`, on the user channel). */
export function useAccount(options = {}) {
  const conveyor = useConveyor();
  const userId = useUserId();
  useChannel(userId ? `user:${userId}` : null);
  return useQuery({
    queryKey: keys.account(userId || ''),
    queryFn: () => conveyor.account.get(),
    ...options,
    enabled: Boolean(userId) && options.enabled !== false,
  });
}

/** The cost of a task before creating it (`POST /v1/tasks/estimate`); off while `input` is null. */
export function useEstimate(input, options = {}) {
  const conveyor = useConveyor();
  return useQuery({
    queryKey: ['estimate', input ? input.taskType : '', input ? input.params : null],
    queryFn: () => conveyor.tasks.estimate(input),
    staleTime: 60_000,
    placeholderData: keepPreviousData,
    ...options,
    enabled: Boolean(input) && options.enabled !== false,
  });
}
