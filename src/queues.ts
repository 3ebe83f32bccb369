// Task queues per role. With `temporal.roleQueues`, model calls and trainer jobs go to `<taskQueue>-<role>`
// queues, so workers can be placed where the endpoints and GPUs are; workflows and bookkeeping stay on
// `<taskQueue>` ("main"). Pure: used by the workflows and the worker alike.
import type { RloopConfig } from './config';

export const QUEUE_ROLES = ['generate', 'solve', 'judge', 'train'] as const;
export type QueueRole = (typeof QUEUE_ROLES)[number];
export type QueueName = 'main' | QueueRole;

export function roleQueue(config: Pick<RloopConfig, 'temporal'>, role: QueueRole): string {
  return config.temporal.roleQueues ? `${config.temporal.taskQueue}-${role}` : config.temporal.taskQueue;
}
