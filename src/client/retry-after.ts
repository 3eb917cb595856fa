/**
 * Seconds to wait from a Retry-After header (RFC 9110 §10.2.3): delay-seconds (`"3"`) or an HTTP date
 * (`"Wed, 21 Oct 2015 07:28:00 GMT"`, counted from `now`; a date already past is 0). Undefined when the header
 * is absent or neither form.
 */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text);
  // Only a date may follow, and every HTTP date form begins with its weekday: other text is not read as one.
  if (!/^[A-Za-z]/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}
