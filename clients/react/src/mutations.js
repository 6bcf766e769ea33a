// Task mutations. What they change reaches every query through realtime frames (task keys, counts, account), so they
// only seed the task's own cache entry with the answer.
import { useRef } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { keys } from '@conveyor/client';
import { useConveyor } from './context.js';

const CALLBACKS = ['onQueued', 'onProgress', 'onSuccess', 'onError'];

/**
 * A mutation that creates a task (`mutate(input)`, a fresh idempotency key per call) and follows it with the SDK's
 * task callbacks `{onQueued, onProgress, onSuccess, onError}`: they fire from realtime frames (or dead-mode polling)
 * for each task this mutation created, even after the component unmounted, reading the latest callbacks passed.
 * The mutation's own state is the create request's: `error` is e.g. a ConveyorError with code insufficient_credits.
 */
export function useCreateTask(callbacks = {}, options = {}) {
  const conveyor = useConveyor();
  const queryClient = useQueryClient();
  const latest = useRef(callbacks);
  latest.current = callbacks;
  return useMutation({
    ...options,
    mutationFn: (input) => {
      const follow = {};
      for (const name of CALLBACKS) follow[name] = (arg) => latest.current[name]?.(arg);
      return conveyor.tasks.create(input, follow);
    },
    onSuccess: (task, ...rest) => {
      queryClient.setQueryData(keys.task(task.id), task);
      return options.onSuccess?.(task, ...rest);
    },
  });
}

function useTaskAction(action, options) {
  const conveyor = useConveyor();
  const queryClient = useQueryClient();
  return useMutation({
    ...options,
    mutationFn: (taskId) => conveyor.tasks[action](taskId),
    onSuccess: (task, ...rest) => {
      queryClient.setQueryData(keys.task(task.id), task);
      return options.onSuccess?.(task, ...rest);
    },
  });
}

/** `mutate(taskId)`: cancels a task that has not ended (409 task_final otherwise). */
export function useCancelTask(options = {}) {
  return useTaskAction('cancel', options);
}

/** `mutate(taskId)`: a failed or cancelled task back to the queue (holds its credits again). */
export function useRetryTask(options = {}) {
  return useTaskAction('retry', options);
}
