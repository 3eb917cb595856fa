/** A fuzz request, who it acts as, and what the generator knows when it makes one. */
import type { IdPool } from './ids.js';

/** Who a request acts as: answers to everyone but A must never hold a byte of A's. */
export type Who = 'A' | 'B' | 'none' | 'bad';
export type ServerName = 'mcp' | 'dredge';

export interface FuzzRequest {
  /** The door and variant, for the report: `POST /mcp load_model`, `raw duplicate content-length`, … */
  readonly door: string;
  readonly server: ServerName;
  readonly who: Who;
  readonly method: string;
  readonly path: string;
  /** Header values; an array sends the header once per value. */
  readonly headers: Record<string, string | string[]>;
  readonly body?: string | Buffer;
  /** Bytes sent over a raw socket as they are (the request line, headers and body); `path` is then a label. */
  readonly raw?: Buffer;
}

export interface Keys {
  readonly A: string;
  readonly B: string;
}

export interface DoorContext {
  readonly keys: Keys;
  /** Ids tenant A names: its own (deletions only its disposable ones: the kept ones are checked after the run). */
  readonly idsA: IdPool;
  /** Ids tenant B names: its own, and tenant A's (wrong-tenant requests). */
  readonly idsB: IdPool;
  /** The catalogue's operation names. */
  readonly operations: readonly string[];
  /** The dashboard's file names (under /assets/). */
  readonly assets: readonly string[];
  /** host:port of each server. */
  readonly hosts: Readonly<Record<ServerName, string>>;
}
