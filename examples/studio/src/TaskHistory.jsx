// The project's tasks, newest first, with progress bars (a pipeline's bar covers all its steps), retry and cancel.
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { keys } from '@conveyor/client';
import { useCancelTask, useConveyor, useRetryTask, useStatusCounts, useTasks } from '@conveyor/react';
import { canCancel, canRetry, describeError, pipelineProgress, taskPercent } from './lib.js';
import { useTaskToasts } from './taskToasts.js';

const STATUSES = ['', 'waiting', 'queued', 'in_progress', 'complete', 'failed', 'cancelled'];

/**
 * The children of a pipeline. Kept under page 1's key of the project's task list, which the gateway invalidates on
 * every task event of the project, so a child's progress refreshes the parent's bar with no extra code.
 */
function usePipeline(task) {
  const conveyor = useConveyor();
  return useQuery({
    queryKey: [...keys.tasksPaginated(task.projectId, 1), 'children', task.id],
    queryFn: () => conveyor.tasks.children(task.id),
    enabled: task.taskType === 'travel_orchestrator',
  });
}

function Progress({ task }) {
  const children = usePipeline(task);
  const pipeline = task.taskType === 'travel_orchestrator' ? pipelineProgress(task, children.data || []) : null;
  const percent = pipeline ? pipeline.percent : taskPercent(task);
  const running = task.status === 'in_progress' && task.progressMessage;
  const label = pipeline ? `${pipeline.done}/${pipeline.steps} steps` : running || task.status.replace('_', ' ');
  return (
    <div className="progress">
      <progress max={100} value={percent} aria-label={`Progress of task ${task.id.slice(0, 8)}`} />
      <small>{percent}% · {label}</small>
    </div>
  );
}

function TaskRow({ task, retry, cancel }) {
  return (
    <tr data-task-id={task.id} data-status={task.status}>
      <td>{task.taskType}<br /><small className="muted">{task.params?.prompt || ''}</small></td>
      <td><span className={`status ${task.status}`}>{task.status.replace('_', ' ')}</span>
        {task.errorMessage && <small className="error"> {task.errorMessage}</small>}</td>
      <td><Progress task={task} /></td>
      <td>{task.cost}</td>
      <td>
        {canRetry(task) && <button type="button" className="secondary" onClick={() => retry(task.id)}>Retry</button>}
        {canCancel(task) && <button type="button" className="secondary" onClick={() => cancel(task.id)}>Cancel</button>}
      </td>
    </tr>
  );
}

export function TaskHistory({ projectId }) {
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(1);
  const limit = 10;
  const tasks = useTasks(projectId, { status: status || undefined, page, limit });
  const counts = useStatusCounts(projectId);
  const conveyor = useConveyor();
  const toasts = useTaskToasts();
  // a retried task is followed again, so its outcome is toasted like a new one
  const retry = useRetryTask({ onSuccess: (task) => conveyor.tasks.track(task.id, toasts).catch(() => {}) });
  const cancel = useCancelTask();
  const pages = tasks.data ? Math.max(1, Math.ceil(tasks.data.total / limit)) : 1;
  const c = counts.data;
  return (
    <section className="card" aria-labelledby="historyTitle">
      <h2 id="historyTitle">Tasks</h2>
      {c && (
        <p id="counts" className="muted">
          {c.waiting + c.queued} queued · {c.inProgress} running · {c.complete} complete · {c.failed} failed · {c.cancelled} cancelled
        </p>
      )}
      <div className="row">
        <label htmlFor="statusFilter">Show</label>
        <select id="statusFilter" value={status} onChange={(e) => { setStatus(e.target.value); setPage(1); }}>
          {STATUSES.map((s) => <option key={s} value={s}>{s ? s.replace('_', ' ') : 'all'}</option>)}
        </select>
      </div>
      {(retry.error || cancel.error) && <p className="error" role="alert">{describeError(retry.error || cancel.error)}</p>}
      <div className="table">
        <table>
          <thead><tr><th scope="col">Task</th><th scope="col">Status</th><th scope="col">Progress</th><th scope="col">Cost</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody id="tasks">
            {(tasks.data?.items || []).map((t) => <TaskRow key={t.id} task={t} retry={retry.mutate} cancel={cancel.mutate} />)}
          </tbody>
        </table>
      </div>
      <nav className="row" aria-label="Task pages">
        <button type="button" className="secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>Newer</button>
        <span>Page {page} of {pages}</span>
        <button type="button" className="secondary" disabled={page >= pages} onClick={() => setPage(page + 1)}>Older</button>
      </nav>
    </section>
  );
}
