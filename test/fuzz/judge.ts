/**
 * Judging each answer as it arrives: a 5xx other than 503, an error that is not well-formed JSON naming its code,
 * no answer in time, and — for every answer to anyone but tenant A — a byte of tenant A's.
 */
import type { FuzzRequest } from './request.js';
import { errorBodyProblem } from './error-body.js';
import type { Planted } from './plant.js';
import { requestText } from './request-text.js';
import type { Answer } from './send.js';

export interface Finding {
  readonly index: number;
  readonly request: FuzzRequest;
  readonly answer: Answer;
  readonly what: string;
}

interface Marker {
  readonly marker: string;
  /** A model id: tenant B may hold a model of the same id (ids count per tenant), so only a whole word counts. */
  readonly weak: boolean;
  readonly pattern?: RegExp;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Where the MCP server answers the Model Context Protocol (`/mcp` also answers the JSON API): JSON-RPC errors too. */
const PROTOCOL_PATH = /^\/mcp(\/protocol)?(\?|$)/;

export class Judge {
  /** Answers by door and status ("timeout" when none came). */
  readonly doors: Record<string, Record<string, number>> = {};
  readonly serverErrors: Finding[] = [];
  readonly malformedErrors: Finding[] = [];
  readonly timeouts: Finding[] = [];
  readonly #candidates: (Finding & { marker: Marker })[] = [];
  readonly #markers: Marker[];
  /** Model ids tenant B holds itself: its planted ones and every one its own load_model calls answered. */
  readonly #modelsOfB: Set<string>;

  constructor(planted: Planted) {
    this.#markers = [
      ...planted.strong.map((marker) => ({ marker, weak: false })),
      ...planted.weak.map((marker) => ({
        marker,
        weak: true,
        pattern: new RegExp(`(^|[^a-z0-9_])${escape(marker)}($|[^a-z0-9_])`),
      })),
    ];
    this.#modelsOfB = new Set(planted.idsB.models.filter((id) => !planted.weak.includes(id)));
  }

  judge(index: number, request: FuzzRequest, answer: Answer): void {
    const byStatus = (this.doors[request.door] ??= {});
    const label = answer.timedOut ? 'timeout' : String(answer.status);
    byStatus[label] = (byStatus[label] ?? 0) + 1;
    const statuses = answer.parts.map((part) => part.status);
    if (statuses.some((status) => status >= 500 && status !== 503)) {
      this.serverErrors.push({ index, request, answer, what: `answered ${statuses.join(',')}` });
    }
    for (const part of answer.parts) {
      const problem = errorBodyProblem(part, request.method, PROTOCOL_PATH.test(request.path));
      if (problem)
        this.malformedErrors.push({ index, request, answer, what: `a ${part.status} whose ${problem}` });
    }
    if (answer.timedOut) this.timeouts.push({ index, request, answer, what: 'no answer in time' });
    this.#scanForMarkers(index, request, answer);
  }

  #scanForMarkers(index: number, request: FuzzRequest, answer: Answer): void {
    if (request.who === 'B' && request.door === 'POST /mcp load_model' && answer.status === 200) {
      for (const match of answer.body.matchAll(/"model_id":"([a-z0-9_]+)"/g)) this.#modelsOfB.add(match[1]!);
    }
    if (request.who === 'A' || !answer.body) return;
    const sent = requestText(request);
    for (const marker of this.#markers) {
      if (sent.includes(marker.marker)) continue;
      const found = marker.pattern ? marker.pattern.test(answer.body) : answer.body.includes(marker.marker);
      if (found) this.#candidates.push({ index, request, answer, marker, what: `holds ${marker.marker}` });
    }
  }

  /** Answers to someone other than A holding A's bytes (judged at the end: B's model ids are known only then). */
  leaks(): Finding[] {
    return this.#candidates.filter(({ marker }) => !(marker.weak && this.#modelsOfB.has(marker.marker)));
  }
}
