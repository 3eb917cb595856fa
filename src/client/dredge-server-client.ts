import type {
  DashboardAnswer,
  DeletedInsight,
  InsightAnswer,
  InsightPage,
  InsightQuery,
  LiftAnswer,
  ServerInfo,
} from './dredge-types.js';
import { HttpTransport } from './http-transport.js';
import type { CallOptions, ClientOptions } from './options.js';
import type { OperationAnswer, OperationParams } from './operation-types.js';
import { health, ready, type HealthAnswer, type ReadinessAnswer } from './probes.js';

/**
 * A client of the DREDGE server (DREDGE_SERVER_PORT, 3001 by default): its description, insights (`/lift`,
 * `/insights`), the dashboard's JSON (`/api/…`) and its probes.
 */
export class DredgeServerClient {
  readonly #transport: HttpTransport;

  constructor(options: ClientOptions) {
    this.#transport = new HttpTransport(options);
  }

  get baseUrl(): string {
    return this.#transport.baseUrl;
  }

  /** `GET /`: the server's name, version, description and routes. */
  info(options?: CallOptions): Promise<ServerInfo> {
    return this.#transport.send({ method: 'GET', path: '/', safe: true }, options);
  }

  health(options?: CallOptions): Promise<HealthAnswer> {
    return health(this.#transport, options);
  }

  ready(options?: CallOptions): Promise<ReadinessAnswer> {
    return ready(this.#transport, options);
  }

  /** `POST /lift`: keeps the insight (a non-blank text of at most 64 KiB of UTF-8) under its id. */
  lift(insightText: string, options?: CallOptions): Promise<LiftAnswer> {
    return this.#transport.send(
      { method: 'POST', path: '/lift', body: { insight_text: insightText }, safe: false },
      options,
    );
  }

  /** `GET /insights`: a page of the insights kept, newest first. */
  listInsights(query: InsightQuery = {}, options?: CallOptions): Promise<InsightPage> {
    return this.#transport.send(
      {
        method: 'GET',
        path: '/insights',
        query: { offset: query.offset, limit: query.limit, q: query.q },
        safe: true,
      },
      options,
    );
  }

  /** `GET /insights/{id}`: one insight (404 `not_found` when there is none). */
  getInsight(id: string, options?: CallOptions): Promise<InsightAnswer> {
    return this.#transport.send({ method: 'GET', path: insightPath(id), safe: true }, options);
  }

  /** `DELETE /insights/{id}` (404 `not_found` when there is none). */
  deleteInsight(id: string, options?: CallOptions): Promise<DeletedInsight> {
    return this.#transport.send({ method: 'DELETE', path: insightPath(id), safe: false }, options);
  }

  /** `GET /api/dashboard`: the dashboard's live figures. */
  dashboard(options?: CallOptions): Promise<DashboardAnswer> {
    return this.#transport.send({ method: 'GET', path: '/api/dashboard', safe: true }, options);
  }

  /** `GET /api/models/{id}/fit?points=`: the model_fit operation (points 10 – 2,000, default 1,000). */
  modelFit(
    modelId: string,
    query: { readonly points?: number } = {},
    options?: CallOptions,
  ): Promise<OperationAnswer<'model_fit'>> {
    return this.#transport.send(
      {
        method: 'GET',
        path: `/api/models/${encodeURIComponent(modelId)}/fit`,
        query: { points: query.points },
        safe: true,
        operation: 'model_fit',
      },
      options,
    );
  }

  /** `POST /api/unified-inference`: the unified_inference operation. */
  unifiedInference(
    params: OperationParams<'unified_inference'> = {},
    options?: CallOptions,
  ): Promise<OperationAnswer<'unified_inference'>> {
    return this.#transport.send(
      {
        method: 'POST',
        path: '/api/unified-inference',
        body: params,
        safe: true,
        operation: 'unified_inference',
      },
      options,
    );
  }
}

function insightPath(id: string): string {
  return `/insights/${encodeURIComponent(id)}`;
}
