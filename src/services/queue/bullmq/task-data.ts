/** A BullMQ job's data: the job's name is the operation. */
export interface TaskData {
  readonly params: unknown;
  readonly tenant: string;
  readonly traceparent?: string;
  readonly timeout_ms: number;
  /** Set when the task was cancelled while running: a worker that picks it up again (after a stall) skips it. */
  readonly cancelled?: boolean;
}

/** The failedReason of a cancelled job, so its state reads as cancelled, not failed. */
export const CANCELLED_REASON = 'cancelled';

/** Where DREDGE keeps its own bookkeeping beside BullMQ's keys. */
export function queueKeys(prefix: string, queueName: string) {
  const base = `${prefix}:${queueName}`;
  return {
    /** Hash: worker name → JSON heartbeat. */
    workers: `${base}:dredge:workers`,
    /** Hash: completed, failed → counts since the queue was created. */
    totals: `${base}:dredge:totals`,
    /** Pub/sub channel: ids of running tasks to cancel. */
    cancel: `${base}:dredge:cancel`,
    /**
     * Sorted set per tenant: its tasks submitted and not finished (by creation), with MULTI_TENANT_ENABLED; its
     * ZCARD is what TENANT_MAX_WAITING_TASKS bounds, and its members are what get_queue_stats counts.
     */
    tenantTasks: (tenant: string) => `${base}:dredge:tenant:${encodeURIComponent(tenant)}:tasks`,
    /** Hash per tenant: completed, failed → counts, as `totals` for every task. */
    tenantTotals: (tenant: string) => `${base}:dredge:tenant:${encodeURIComponent(tenant)}:totals`,
  };
}

/** BullMQ's key prefix for DREDGE queues (its own default is `bull`). */
export const QUEUE_PREFIX = 'dredge';
