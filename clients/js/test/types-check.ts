// Compiled by `tsc --noEmit` (npm test): the declarations are usable the way docs/client.md shows.
import { createConveyor, keys, ConveyorError, type Conveyor, type Task, type ConnectionState } from '@conveyor/client';
import { bindQueryClient } from '@conveyor/client/tanstack';
import { QueryClient } from '@tanstack/query-core';

declare const WebSocketCtor: new (url: string) => {
  readyState: number;
  onopen: ((e: any) => void) | null;
  onmessage: ((e: { data: any }) => void) | null;
  onclose: ((e: { code: number; reason?: string }) => void) | null;
  onerror: ((e: any) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
};

const conveyor: Conveyor = createConveyor({
  taskApiUrl: 'http://localhost:8081',
  generationUrl: 'http://localhost:8082',
  gatewayUrl: 'http://localhost:8083',
  getToken: async () => 'jwt',
  WebSocket: WebSocketCtor,
});

const queryClient = new QueryClient();
const unbind: () => void = bindQueryClient(queryClient, conveyor);
unbind();

const countsKey: ['task-status-counts', string] = keys.taskStatusCounts('p');
const pageKey: readonly (string | number)[] = keys.tasksPaginated('p', 1);
const covering = keys.covering('project:p');
void countsKey;
void pageKey;
void covering;

async function usage(projectId: string): Promise<void> {
  const unsubscribe = conveyor.subscribe(`project:${projectId}`);
  const state: ConnectionState = conveyor.connection.state;
  conveyor.connection.subscribe((s) => console.log(s === 'polling', state));
  const task: Task = await conveyor.tasks.create(
    { projectId, taskType: 'single_image', params: { prompt: 'a red fox' } },
    {
      onQueued: (t) => console.log(t.status),
      onProgress: (t) => console.log(t.progress),
      onSuccess: (t) => console.log(t.outputLocation),
      onError: (e) => console.log(e instanceof ConveyorError ? e.code : e.errorMessage),
    },
  );
  try {
    const done = await conveyor.tasks.track(task.id);
    console.log(done.completedAt);
  } catch (e) {
    if (e instanceof ConveyorError) console.log(e.status, e.code, e.title, e.detail, e.task?.status);
  }
  const page = await conveyor.tasks.list(projectId, { page: 1, limit: 20, status: ['queued', 'in_progress'] });
  console.log(page.total, page.items[0]?.id);
  const gens = await conveyor.generations.list(projectId, { limit: 48 });
  console.log(gens.items.map((g) => g.location));
  const pending: Task[] = await conveyor.pendingTasks();
  const any: boolean = await conveyor.hasPendingTasks();
  console.log(pending.length, any);
  const off = conveyor.onInvalidate((ks, frame) => console.log(ks.length, frame.channel, frame.source));
  const offFrames = conveyor.onFrame((f) => {
    if (f.type === 'subscribed') console.log(f.recovered, f.position);
  });
  const lead = conveyor.lead({ onLead: () => console.log('lead'), onLose: () => console.log('lost') });
  console.log(lead.isLeader(), lead.clientId);
  await lead.stop();
  off();
  offFrames();
  unsubscribe();
  conveyor.close();
}
void usage;

// @ts-expect-error taskApiUrl and getToken are required
createConveyor({});
