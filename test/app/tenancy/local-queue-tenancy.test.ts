import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/services/store/sqlite/database.js';
import { useTempDirs } from '../../helpers/temp-dir.js';
import { localTaskService } from '../../services/queue/local-task-service.js';

const tempDir = useTempDirs();

/**
 * The local queue (QUEUE_BACKEND=local) with tenants: an engine not started, so every task submitted waits, holds
 * each tenant to TENANT_MAX_WAITING_TASKS, and finds, cancels and counts a task only for its own tenant.
 */
describe('the local queue with tenants', () => {
  it('bounds, hides and counts each tenant’s tasks', async () => {
    const db = openDatabase(tempDir());
    const tasks = localTaskService(db, { maxWaitingPerTenant: 2 });
    try {
      const first = await tasks.submit('string_spectrum', {}, { tenant: 'alpha' });
      await tasks.submit('string_spectrum', {}, { tenant: 'alpha' });
      await expect(tasks.submit('string_spectrum', {}, { tenant: 'alpha' })).rejects.toMatchObject({
        code: 'rate_limited',
        status: 429,
        message: expect.stringContaining('TENANT_MAX_WAITING_TASKS') as unknown,
      });
      const betas = await tasks.submit('string_spectrum', {}, { tenant: 'beta' });

      expect(await tasks.get(first.task_id, 'beta')).toBeUndefined();
      expect(await tasks.cancel(first.task_id, 'beta')).toBeUndefined();
      expect((await tasks.get(first.task_id, 'alpha'))?.status).toBe('pending');
      expect(await tasks.stats('alpha')).toMatchObject({ waiting: 2 });
      expect(await tasks.stats('beta')).toMatchObject({ waiting: 1 });
      expect(await tasks.stats()).toMatchObject({ waiting: 3 });

      // A cancelled task stops counting against its tenant, and stays unknown to the other.
      expect((await tasks.cancel(first.task_id, 'alpha'))?.status).toBe('cancelled');
      expect(await tasks.get(first.task_id, 'beta')).toBeUndefined();
      expect((await tasks.get(first.task_id, 'alpha'))?.status).toBe('cancelled');
      await tasks.submit('string_spectrum', {}, { tenant: 'alpha' });
      expect((await tasks.get(betas.task_id, 'beta'))?.status).toBe('pending');
    } finally {
      await tasks.close();
      db.close();
    }
  });
});
