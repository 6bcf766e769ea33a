// Compiled by `tsc --noEmit` (npm test): the declarations are usable the way docs/client.md shows.
import { useMemo } from 'react';
import { ConveyorError, type ConnectionState, type Task } from '@conveyor/client';
import {
  ConveyorProvider, TaskProcessor, useAccount, useConnectionState, useCreateTask, useGenerations, usePendingTasks,
  useStatusCounts, useTask, useTaskLead, useTasks, useUnpositionedCount,
} from '@conveyor/react';

export function App({ token }: { token: string }) {
  const options = useMemo(() => ({
    taskApiUrl: 'http://localhost:8081', generationUrl: 'http://localhost:8082', gatewayUrl: 'http://localhost:8083',
    getToken: () => token,
  }), [token]);
  return (
    <ConveyorProvider options={options} fallback={<p>connecting</p>}>
      <Studio projectId="p" shotId="s" />
      <TaskProcessor><p>this tab processes</p></TaskProcessor>
    </ConveyorProvider>
  );
}

function Studio({ projectId, shotId }: { projectId: string; shotId: string }) {
  const state: ConnectionState = useConnectionState();
  const counts = useStatusCounts(projectId);
  const running: number | undefined = counts.data?.inProgress;
  const page = useTasks(projectId, { status: ['failed'], page: 2 });
  const first: Task | undefined = page.data?.items[0];
  const task = useTask(first?.id);
  const gallery = useGenerations({ projectId }, { limit: 48 });
  const shot = useGenerations({ shotId, projectId });
  const unpositioned: number | undefined = useUnpositionedCount(shotId, { projectId }).data;
  const credits: number | undefined = useAccount().data?.available;
  const pending: Task[] | undefined = usePendingTasks().data;
  const { isLeader } = useTaskLead();
  const create = useCreateTask({
    onSuccess: (t) => console.log(t.outputLocation),
    onError: (e) => console.log(e instanceof ConveyorError ? e.code : e.errorMessage),
  });
  const notEnough = create.error?.code === 'insufficient_credits';
  return (
    <button disabled={create.isPending || notEnough}
      onClick={() => create.mutate({ projectId, taskType: 'single_image', params: { prompt: 'a fox' } })}>
      {state} {running} {task.data?.status} {gallery.data?.total} {shot.data?.[0]?.position} {unpositioned} {credits}
      {pending?.length} {String(isLeader)}
    </button>
  );
}
