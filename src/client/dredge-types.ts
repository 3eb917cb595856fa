import type { DashboardSummary } from '../app/http/dredge/dashboard-summary.js';

/** `GET /` of the DREDGE server, in the original's shape. */
export interface ServerInfo {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  /** Every route, `"METHOD /path"`, with what it does. */
  readonly endpoints: Readonly<Record<string, string>>;
}

/** An insight the server keeps: its id is the SHA-256 of its text (of tenant and text, in a tenant's own). */
export interface Insight {
  readonly id: string;
  readonly text: string;
  /** When it was first lifted, ISO 8601 in UTC. */
  readonly created_at: string;
}

/** `POST /lift`: the insight kept, and whether it is new (`false`: the same text was lifted before). */
export interface LiftAnswer extends Insight {
  readonly lifted: true;
  readonly message: string;
  readonly new: boolean;
}

/** What `GET /insights` takes: a page of at most `limit` (1 – 100, default 20) from `offset`, matching `q`. */
export interface InsightQuery {
  /** 0 – 1,000,000 (default 0). */
  readonly offset?: number;
  /** 1 – 100 (default 20). */
  readonly limit?: number;
  /** Text the insights must hold, case-insensitive, at most 256 characters. */
  readonly q?: string;
}

/** `GET /insights`: a page of insights, newest first, and how many match in all. */
export interface InsightPage {
  readonly success: true;
  readonly insights: readonly Insight[];
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
  readonly q?: string;
}

export interface InsightAnswer extends Insight {
  readonly success: true;
}

export interface DeletedInsight {
  readonly success: true;
  readonly id: string;
  readonly deleted: true;
}

/** `GET /api/dashboard`: the dashboard's live figures (traffic, cache, queue, the newest models). */
export type DashboardAnswer = Awaited<ReturnType<DashboardSummary['build']>>;
