// Types of @conveyor/react (hand-written; the sources are plain ESM JavaScript, like @conveyor/client's).
import type { ReactNode } from 'react';
import type {
  QueryClient, UseMutationOptions, UseMutationResult, UseQueryOptions, UseQueryResult,
} from '@tanstack/react-query';
import type {
  Account, CacheKey, Channel, ConnectionState, Conveyor, ConveyorError, ConveyorOptions, Estimate, Generation,
  GenerationListQuery, Page, Project, Shot, Task, TaskCallbacks, TaskInput, TaskStatus, TaskStatusCounts,
} from '@conveyor/client';

/** Extra TanStack options a query hook passes through (its key and fetch function are the hook's). */
export type QueryOptions<TData, TSelected = TData> =
  Omit<UseQueryOptions<TData, ConveyorError, TSelected, any>, 'queryKey' | 'queryFn'>;

export interface ConveyorProviderProps {
  /** A conveyor the app created (and closes). */
  client?: Conveyor;
  /** Or: options the provider creates its conveyor from after mount, and closes it on unmount. Memoise them. */
  options?: ConveyorOptions;
  /** Default: a QueryClient with staleTime Infinity (realtime says when data changed). */
  queryClient?: QueryClient;
  /** Rendered until the client exists (one effect after mount with `options`). */
  fallback?: ReactNode;
  children?: ReactNode;
}

/** Binds the conveyor to the QueryClient (bindQueryClient) and provides both to the hooks below it. */
export function ConveyorProvider(props: ConveyorProviderProps): ReactNode;
export function defaultQueryClient(): QueryClient;
export function useConveyor(): Conveyor;
/** The token's `sub`; null until known. */
export function useUserId(): string | null;

export function useChannel(channel: Channel | null | undefined): void;
export function useProjectChannel(projectId: string | null | undefined): void;
export function useConnectionState(): ConnectionState;
/** When an invalidation carries a key `matches` accepts, `queryKey` is invalidated too. */
export function useDerivedInvalidation(queryKey: CacheKey, matches: (key: CacheKey) => boolean, enabled?: boolean): void;

export function useTask(taskId: string | null | undefined, options?: QueryOptions<Task>): UseQueryResult<Task, ConveyorError>;

export interface TasksQuery {
  status?: TaskStatus | TaskStatus[];
  taskType?: string;
  /** 1-based, default 1. */
  page?: number;
  limit?: number;
}
export function useTasks(projectId: string | null | undefined, query?: TasksQuery,
  options?: QueryOptions<Page<Task>>): UseQueryResult<Page<Task>, ConveyorError>;
export function useStatusCounts(projectId: string | null | undefined,
  options?: QueryOptions<TaskStatusCounts>): UseQueryResult<TaskStatusCounts, ConveyorError>;
export function pendingTasksKey(userId: string): ['pending-tasks', string];
export function usePendingTasks(options?: QueryOptions<Task[]>): UseQueryResult<Task[], ConveyorError>;

export function useGenerations(target: { projectId: string; shotId?: undefined }, query?: GenerationListQuery,
  options?: QueryOptions<Page<Generation>>): UseQueryResult<Page<Generation>, ConveyorError>;
export function useGenerations(target: { shotId: string; projectId?: string }, query?: undefined,
  options?: QueryOptions<Generation[]>): UseQueryResult<Generation[], ConveyorError>;
export function useUnpositionedCount(shotId: string | null | undefined, target?: { projectId?: string },
  options?: QueryOptions<{ count: number }, number>): UseQueryResult<number, ConveyorError>;
export function useShots(projectId: string | null | undefined, options?: QueryOptions<Shot[]>): UseQueryResult<Shot[], ConveyorError>;
export function projectsKey(): ['projects'];
export function useProjects(options?: QueryOptions<Project[]>): UseQueryResult<Project[], ConveyorError>;
export function useAccount(options?: QueryOptions<Account>): UseQueryResult<Account, ConveyorError>;
export function useEstimate(input: { taskType: string; params: Record<string, unknown> } | null | undefined,
  options?: QueryOptions<Estimate>): UseQueryResult<Estimate, ConveyorError>;

export type MutationOptions<TData, TVariables> =
  Omit<UseMutationOptions<TData, ConveyorError, TVariables>, 'mutationFn'>;
/** `mutate(input)` creates the task; `callbacks` follow every task it created (realtime or dead-mode polling). */
export function useCreateTask(callbacks?: TaskCallbacks,
  options?: MutationOptions<Task, TaskInput>): UseMutationResult<Task, ConveyorError, TaskInput>;
export function useCancelTask(options?: MutationOptions<Task, string>): UseMutationResult<Task, ConveyorError, string>;
export function useRetryTask(options?: MutationOptions<Task, string>): UseMutationResult<Task, ConveyorError, string>;

export interface TaskLeadState {
  isLeader: boolean;
  clientId: string;
}
/** This tab's lead; asks for it while mounted (one lead per provider, shared by every caller). */
export function useTaskLead(): TaskLeadState;
/** Renders its children only in the leading tab of the user. */
export function TaskProcessor(props: { children?: ReactNode; fallback?: ReactNode }): ReactNode;
