/** A fuzz request as text: all of it (to tell an echo from a leak), or a short line for a failure message. */
import type { FuzzRequest } from './request.js';

export function clip(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length)}…(${text.length})` : text;
}

function bodyText(req: FuzzRequest): string {
  if (req.raw) return req.raw.toString('utf8');
  return req.body === undefined ? '' : req.body.toString();
}

/** A short, printable description of request `index`, enough to find it again under the same seed. */
export function describeRequest(req: FuzzRequest, index: number): string {
  const headers = Object.entries(req.headers)
    .map(([name, value]) => `${name}: ${clip(Array.isArray(value) ? value.join(' | ') : value, 80)}`)
    .join('; ');
  const body = bodyText(req);
  const target = req.raw ? '' : ` ${req.path.slice(0, 120)}`;
  return `#${index} [${req.who}] ${req.method} ${req.server}${target} (${req.door}) {${headers}} body(${body.length}): ${JSON.stringify(clip(body, 300))}`;
}

/** The text of the whole request: a marker found in it and in the answer is the client's own echo, not a leak. */
export function requestText(req: FuzzRequest): string {
  const headers = Object.values(req.headers).flat().join('\n');
  return `${decodeSafely(req.path)}\n${req.path}\n${headers}\n${bodyText(req)}`;
}

function decodeSafely(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
