import type { FastifyInstance } from 'fastify';
import { DredgeError } from '../../../services/errors.js';
import type { InsightRecord } from '../../../services/store/index.js';
import type { AppServices } from '../../services.js';
import { insightId, insightIdParams, insightListQuery, liftText } from './insight-input.js';
import { parseRequestPart, requireObjectBody } from '../request-input.js';
import { requestTenant } from './request-tenant.js';
import { fromStore } from './store-guard.js';

/** An insight as the API shows it (snake_case, as every answer of DREDGE). */
function view(record: InsightRecord) {
  return { id: record.id, text: record.text, created_at: record.createdAt };
}

/**
 * The original's `POST /lift`, keeping what it lifts (the original kept nothing), and the insights kept: listed
 * newest first (paginated, searchable), read and deleted by id. Every route works in the caller's tenant: another
 * tenant's insight is `No insight has id …`, as an unknown one, and lifting a text another tenant lifted is new.
 */
export function registerInsightRoutes(app: FastifyInstance, services: AppServices): void {
  const { insights } = services.store;

  app.post('/lift', { config: { scope: 'write' } }, async (request) => {
    // The original answered a missing body like a missing field; its clients rely on that sentence.
    const body =
      request.body === undefined || request.body === null
        ? {}
        : requireObjectBody(request.body, '{"insight_text": "…"}');
    const text = liftText(body);
    const tenant = requestTenant(request, services);
    const id = insightId(tenant, text);
    const { record, created } = await fromStore(() => insights.save(id, text, tenant));
    return {
      id,
      text: record.text,
      lifted: true,
      message: created ? 'Insight lifted and saved.' : 'Insight lifted; it was already saved.',
      created_at: record.createdAt,
      new: created,
    };
  });

  app.get('/insights', { config: { scope: 'read' } }, async (request) => {
    const { offset, limit, q } = parseRequestPart(insightListQuery, request.query);
    const search = q?.trim() ? q.trim() : undefined;
    const tenant = requestTenant(request, services);
    const page = await fromStore(() =>
      insights.list({ offset, limit, tenant, ...(search ? { search } : {}) }),
    );
    return {
      success: true,
      insights: page.items.map(view),
      total: page.total,
      offset,
      limit,
      ...(search ? { q: search } : {}),
    };
  });

  app.get('/insights/:id', { config: { scope: 'read' } }, async (request) => {
    const { id } = parseRequestPart(insightIdParams, request.params);
    const record = await fromStore(() => insights.get(id, requestTenant(request, services)));
    if (!record) throw new DredgeError('not_found', `No insight has id ${id}.`);
    return { success: true, ...view(record) };
  });

  app.delete('/insights/:id', { config: { scope: 'write' } }, async (request) => {
    const { id } = parseRequestPart(insightIdParams, request.params);
    if (!(await fromStore(() => insights.delete(id, requestTenant(request, services))))) {
      throw new DredgeError('not_found', `No insight has id ${id}.`);
    }
    return { success: true, id, deleted: true };
  });
}
