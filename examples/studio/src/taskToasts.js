// The task callbacks every create (and retry) of the studio passes: a toast when the task ends.
import { useMemo } from 'react';
import { describeError } from './lib.js';
import { useToast } from './Toasts.jsx';

const LABEL = { single_image: 'Image', travel_orchestrator: 'Travel video' };

export function useTaskToasts() {
  const toast = useToast();
  return useMemo(() => ({
    onSuccess: (task) => toast({ kind: 'success', taskId: task.id, text: `${LABEL[task.taskType] || task.taskType} ready` }),
    onError: (taskOrError) => toast({
      kind: 'error',
      taskId: taskOrError.id || '',
      text: `${LABEL[taskOrError.taskType] || 'Task'} failed: ${describeError(taskOrError)}`,
    }),
  }), [toast]);
}
