import type { FastifyInstance } from 'fastify';
import { DredgeError } from '../../services/errors.js';
import type { Catalogue } from '../operations/index.js';
import type { AppServices } from '../services.js';
import { answerOperation } from './operation-door.js';

/**
 * The `/tasks` resource, a REST face of the task operations: `POST /tasks {operation, params, attempts?,
 * timeout?}` queues (202, Location: /tasks/{id}), `GET /tasks/{id}` reads, `DELETE /tasks/{id}` cancels, and
 * `GET /tasks` answers the queue's statistics. Each runs the catalogue operation of the same meaning.
 */
export function registerTaskRoutes(app: FastifyInstance, services: AppServices, catalogue: Catalogue): void {
  app.post('/tasks', (request, reply) => {
    const body = request.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new DredgeError(
        'invalid_input',
        'The request body must be a JSON object {"operation": …, "params": {…}}.',
      );
    }
    return answerOperation(catalogue, services, request, reply, 'submit_task', body, {
      status: 202,
      location: (outcome) => `/tasks/${String(outcome.value.task_id)}`,
    });
  });

  app.get('/tasks', (request, reply) =>
    answerOperation(catalogue, services, request, reply, 'get_queue_stats', {}),
  );

  app.get<{ Params: { id: string } }>('/tasks/:id', (request, reply) =>
    answerOperation(catalogue, services, request, reply, 'get_task', { task_id: request.params.id }),
  );

  app.delete<{ Params: { id: string } }>('/tasks/:id', (request, reply) =>
    answerOperation(catalogue, services, request, reply, 'cancel_task', { task_id: request.params.id }),
  );
}
