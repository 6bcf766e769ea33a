// @conveyor/react: React hooks on TanStack Query and @conveyor/client (see docs/client.md#react).
export { ConveyorProvider, defaultQueryClient, useConveyor, useUserId } from './context.js';
export { useChannel, useConnectionState, useDerivedInvalidation, useProjectChannel } from './channels.js';
export {
  pendingTasksKey, projectsKey, useAccount, useEstimate, useGenerations, usePendingTasks, useProjects, useShots,
  useStatusCounts, useTask, useTasks, useUnpositionedCount,
} from './queries.js';
export { useCancelTask, useCreateTask, useRetryTask } from './mutations.js';
export { TaskProcessor, useTaskLead } from './lead.js';
