import type { FastifyInstance } from 'fastify';
import type { AnswerShape, OperationDoor } from './operation-door.js';
import { OPERATION_BODY, requireObjectBody } from './request-input.js';

/** A queued task's answer: 202, and where to read it (made once, not per request). */
const QUEUED: AnswerShape = {
  status: 202,
  location: (outcome) => `/tasks/${String(outcome.value.task_id)}`,
};

/**
 * The `/tasks` resource, a REST face of the task operations: `POST /tasks {operation, params, attempts?,
 * timeout?}` queues (202, Location: /tasks/{id}), `GET /tasks/{id}` reads, `DELETE /tasks/{id}` cancels, and
 * `GET /tasks` answers the queue's statistics. Each runs the catalogue operation of the same meaning.
 */
export function registerTaskRoutes(app: FastifyInstance, door: OperationDoor): void {
  app.post('/tasks', (request, reply) =>
    door.answer(request, reply, 'submit_task', requireObjectBody(request.body, OPERATION_BODY), QUEUED),
  );

  app.get('/tasks', (request, reply) => door.answer(request, reply, 'get_queue_stats', {}));

  app.get<{ Params: { id: string } }>('/tasks/:id', (request, reply) =>
    door.answer(request, reply, 'get_task', { task_id: request.params.id }),
  );

  app.delete<{ Params: { id: string } }>('/tasks/:id', (request, reply) =>
    door.answer(request, reply, 'cancel_task', { task_id: request.params.id }),
  );
}
