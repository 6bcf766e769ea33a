// Types of @conveyor/client (hand-written; the sources are plain ESM JavaScript).

/** A canonical cache key: an array of strings and numbers (TanStack Query key). */
export type CacheKey = ReadonlyArray<string | number>;
/** `project:<uuid>` or `user:<uuid>`. */
export type Channel = `project:${string}` | `user:${string}`;

export type TaskStatus = 'waiting' | 'queued' | 'in_progress' | 'complete' | 'failed' | 'cancelled';
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'polling' | 'closed';

export interface Project {
  id: string;
  name: string;
  ownerId: string;
  createdAt: string;
}

export interface Task {
  id: string;
  projectId: string;
  userId: string;
  taskType: string;
  params: Record<string, unknown>;
  status: TaskStatus;
  priority: number;
  cost: number;
  attempts: number;
  maxAttempts: number;
  progress: number | null;
  progressMessage: string | null;
  workerId: string | null;
  outputLocation: string | null;
  metadata: Record<string, unknown> | null;
  errorMessage: string | null;
  generationId: string | null;
  generationType?: string | null;
  shotId?: string | null;
  dependsOn: string[] | null;
  parentTaskId: string | null;
  createdAt: string;
  updatedAt: string;
  claimedAt: string | null;
  completedAt: string | null;
  runAfter: string | null;
}

export interface TaskInput {
  projectId: string;
  taskType: string;
  params: Record<string, unknown>;
  priority?: number;
  dependsOn?: string[];
  parentTaskId?: string;
  /** Generated per call when absent, so a retried request never holds credits twice. */
  idempotencyKey?: string;
}

export interface Page<T> {
  items: T[];
  page: number;
  limit: number;
  total: number;
}

export interface TaskStatusCounts {
  waiting: number;
  queued: number;
  inProgress: number;
  complete: number;
  failed: number;
  cancelled: number;
}

export interface TaskListQuery {
  status?: TaskStatus | TaskStatus[] | string;
  taskType?: string;
  page?: number;
  limit?: number;
}

export interface BatchAnswer {
  items: Array<{ task: Task; replayed: boolean }>;
}

export interface Estimate {
  taskType: string;
  cost: number;
}

export interface Account {
  userId: string;
  balance: number;
  held: number;
  available: number;
}

export interface ShotPlacement {
  shotId: string;
  position: number | null;
}

export interface Generation {
  id: string;
  projectId: string;
  type: 'image' | 'video';
  location: string;
  metadata: Record<string, unknown> | null;
  params?: Record<string, unknown> | null;
  taskIds: string[];
  createdAt: string;
  shots: ShotPlacement[];
  /** Present in a shot's listing (GET /v1/shots/{id}/generations). */
  position?: number | null;
}

export interface GenerationListQuery {
  shotId?: string;
  type?: 'image' | 'video';
  unpositioned?: boolean;
  includeTaskData?: boolean;
  page?: number;
  limit?: number;
}

export interface Shot {
  id: string;
  projectId: string;
  name: string;
  createdAt: string;
}

export interface Changes {
  keys: CacheKey[];
  position: string;
  reset: boolean;
}

/** A frame the gateway sends (docs/realtime.md). */
export type ServerFrame =
  | { type: 'welcome'; userId: string }
  | { type: 'subscribed'; channel: Channel; position: string; recovered: boolean }
  | { type: 'invalidate'; channel: Channel; keys: CacheKey[]; position: string }
  | { type: 'reset'; channel: Channel; keys: CacheKey[]; position: string }
  | { type: 'unsubscribed'; channel: Channel; reason?: string }
  | { type: 'pong'; id?: string }
  | { type: 'error'; code: string; message?: string; channel?: Channel };

/**
 * What an onInvalidate listener gets with the keys: the server's `invalidate` / `reset` frame, or one the client made:
 * `source: 'poll'` (a /v1/changes answer in dead mode), `'blind'` (dead mode could not reach the gateway: the
 * channel's covering keys), `'visibility'` (the tab became visible after dead mode).
 */
export interface InvalidationFrame {
  type: 'invalidate' | 'reset';
  channel: Channel;
  keys: CacheKey[];
  position?: string;
  source?: 'poll' | 'blind' | 'visibility';
}

export interface TaskCallbacks {
  onQueued?(task: Task): void;
  onProgress?(task: Task): void;
  onSuccess?(task: Task): void;
  onError?(taskOrError: Task | ConveyorError): void;
}

export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  [extension: string]: unknown;
}

export class ConveyorError extends Error {
  constructor(init?: {
    status?: number; code?: string; title?: string; detail?: string; type?: string; instance?: string;
    problem?: ProblemDetails; task?: Task; cause?: unknown;
  });
  readonly name: 'ConveyorError';
  /** HTTP status; 0 for network failures and task outcomes. */
  readonly status: number;
  /** Stable machine code: the problem's `code`, `'network'`, `'task_failed'`, `'task_cancelled'`, `'closed'`. */
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly type?: string;
  readonly instance?: string;
  /** The whole problem+json body, when there was one. */
  readonly problem?: ProblemDetails;
  /** The task, for `task_failed` / `task_cancelled`. */
  readonly task?: Task;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
  now(): number;
}

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Where the client runs; defaults to the browser's (document, window, sessionStorage) or a headless one. */
export interface ConveyorEnvironment {
  isVisible?(): boolean;
  onVisibilityChange?(listener: () => void): () => void;
  onOnline?(listener: () => void): () => void;
  onPageHide?(listener: () => void): () => void;
  onPageShow?(listener: (event?: { persisted?: boolean }) => void): () => void;
  storage?: StorageLike | null;
}

export interface TimingOptions {
  backoffBaseMs: number;
  backoffCapMs: number;
  pollVisibleMs: number;
  pollHiddenMs: number;
  pollJitterMs: number;
  pingIntervalMs: number;
  stallTimeoutMs: number;
  connectTimeoutMs: number;
  leadIntervalMs: number;
  leadLeaseMs: number;
  stableMs: number;
}

export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: any) => void) | null;
  onmessage: ((event: { data: any }) => void) | null;
  onclose: ((event: { code: number; reason?: string }) => void) | null;
  onerror: ((event: any) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface ConveyorOptions {
  taskApiUrl: string;
  generationUrl?: string;
  gatewayUrl?: string;
  /** Called on connect, on every reconnect, after an HTTP 401 and a close 4401 (and when the last token is about to expire). */
  getToken: () => string | Promise<string>;
  /** false: no WebSocket, dead mode only (poll GET /v1/changes). Default true. */
  realtime?: boolean;
  /** A WebSocket constructor (Node 20 has none: pass the `ws` package's). */
  WebSocket?: new (url: string) => WebSocketLike;
  fetch?: typeof fetch;
  environment?: ConveyorEnvironment;
  timers?: Timers;
  random?: () => number;
  timing?: Partial<TimingOptions>;
  /** Errors nobody else hears (a listener that threw, a refused socket); default console.error. */
  onError?: (error: unknown) => void;
}

export interface Unsubscribe {
  (): void;
}

export interface Connection {
  readonly state: ConnectionState;
  /** Called on every change of state (not with the current one). */
  subscribe(listener: (state: ConnectionState) => void): Unsubscribe;
  /** Try the socket now (e.g. a "retry" button); no-op when live or already trying. */
  reconnect(): void;
}

export interface LeadHandle {
  isLeader(): boolean;
  /** Stops asking and releases the lead (DELETE /v1/task-lead); onLose fires if this tab led. */
  stop(): Promise<void>;
  readonly clientId: string;
  /** Who leads, as the last answer said. */
  readonly leaderClientId: string | null;
}

export interface LeadOptions {
  onLead?(): void;
  onLose?(): void;
  /** Failed lead requests (network); default: ignored (the lead ends when its lease runs out). */
  onError?(error: unknown): void;
}

export interface Conveyor {
  projects: {
    create(body: { name: string }): Promise<Project>;
    list(): Promise<Project[]>;
    get(id: string): Promise<Project>;
    update(id: string, body: { name: string }): Promise<Project>;
    remove(id: string): Promise<void>;
  };
  tasks: {
    create(input: TaskInput, callbacks?: TaskCallbacks): Promise<Task>;
    createBatch(inputs: TaskInput[], callbacks?: TaskCallbacks): Promise<BatchAnswer>;
    /** Resolves with the final Task on `complete`; rejects with ConveyorError (`task_failed` / `task_cancelled`, `.task`). */
    track(taskId: string, callbacks?: TaskCallbacks): Promise<Task>;
    get(id: string): Promise<Task>;
    list(projectId: string, query?: TaskListQuery): Promise<Page<Task>>;
    /** GET /v1/tasks: the user's tasks across projects. */
    listAll(query?: TaskListQuery): Promise<Page<Task>>;
    children(id: string): Promise<Task[]>;
    /** Uses the ETag: an unchanged answer (304) returns the last counts. */
    statusCounts(projectId: string): Promise<TaskStatusCounts>;
    cancel(id: string): Promise<Task>;
    retry(id: string): Promise<Task>;
    estimate(body: { taskType: string; params: Record<string, unknown> }): Promise<Estimate>;
  };
  account: {
    get(): Promise<Account>;
  };
  /** Needs a token with the admin role. */
  admin: {
    grantCredits(userId: string, body: { amount: number; reason: string }): Promise<Account>;
  };
  generations: {
    list(projectId: string, query?: GenerationListQuery): Promise<Page<Generation>>;
    get(id: string): Promise<Generation>;
    remove(id: string): Promise<void>;
    byTask(taskId: string): Promise<Generation[]>;
  };
  shots: {
    create(projectId: string, body: { name: string }): Promise<Shot>;
    list(projectId: string): Promise<Shot[]>;
    update(id: string, body: { name: string }): Promise<Shot>;
    remove(id: string): Promise<void>;
    generations(id: string): Promise<Generation[]>;
    place(id: string, generationId: string, position?: number | null): Promise<Generation>;
    unplace(id: string, generationId: string): Promise<void>;
    unpositionedCount(id: string): Promise<{ count: number }>;
  };
  /** GET /v1/changes on the gateway (what dead mode polls). */
  changes(channel: Channel, since?: string): Promise<Changes>;
  /** The user's waiting / queued / in-progress tasks across projects (all pages). */
  pendingTasks(): Promise<Task[]>;
  hasPendingTasks(): Promise<boolean>;
  /** Reference-counted; resumes from the channel's last position after any reconnect. */
  subscribe(channel: Channel): Unsubscribe;
  /** Every invalidate and reset (socket or dead mode): the keys to drop or refetch. */
  onInvalidate(listener: (keys: CacheKey[], frame: InvalidationFrame) => void): Unsubscribe;
  /** Every frame the socket receives, raw (debugging, tests). */
  onFrame(listener: (frame: ServerFrame) => void): Unsubscribe;
  readonly connection: Connection;
  /** The last position known for a channel. */
  position(channel: Channel): string | undefined;
  lead(options?: LeadOptions): LeadHandle;
  /** The user id (the token's `sub`, else GET /v1/account). */
  userId(): Promise<string>;
  /** This tab's lead client id (sessionStorage in a browser, random per client elsewhere). */
  readonly clientId: string;
  /** Closes the socket and every timer, stops leads, rejects pending track() promises with code 'closed'. */
  close(): void;
}

export function createConveyor(options: ConveyorOptions): Conveyor;

export interface Keys {
  tasksPaginated(projectId: string, page: number): ['tasks', 'paginated', string, number];
  taskStatusCounts(projectId: string): ['task-status-counts', string];
  task(taskId: string): ['task', string];
  unifiedGenerationsProject(projectId: string): ['unified-generations', 'project', string];
  unifiedGenerationsShot(shotId: string): ['unified-generations', 'shot', string];
  unpositionedCount(shotId: string): ['unpositioned-count', string];
  shots(projectId: string): ['shots', string];
  account(userId: string): ['account', string];
  taskLead(userId: string): ['task-lead', string];
  /** The keys a `reset` of `project:<id>` drops. */
  projectCovering(projectId: string): CacheKey[];
  /** The keys a `reset` of `user:<id>` drops. */
  userCovering(userId: string): CacheKey[];
  /** Covering keys of a channel name; [] when it is not one. */
  covering(channel: string): CacheKey[];
}

export const keys: Readonly<Keys>;

/** Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^attempt)). */
export function backoffDelay(attempt: number, random?: () => number, baseMs?: number, capMs?: number): number;
/** The dead-mode interval: 5 s visible / 15 s hidden, +- 1 s. */
export function pollDelay(visible: boolean, random?: () => number, options?: TimingOptions): number;
/** The default timing (the seeds' numbers). */
export const timing: Readonly<TimingOptions>;
