/** An answer's text, or how far it went past the bound. */
export type BoundedText =
  { readonly ok: true; readonly text: string } | { readonly ok: false; readonly bytes: number };

/**
 * The answer's body as text, reading at most `maxBytes` of it: a declared Content-Length above the bound is
 * refused before anything is read, and a body that grows past it (chunked, or lying about its length) is
 * cancelled there, so an answer never takes more memory than the bound. (`response.text()` has no bound.)
 */
export async function readBoundedText(response: Response, maxBytes: number): Promise<BoundedText> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return { ok: false, bytes: declared };
  }
  if (response.body === null) return { ok: true, text: '' };
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { ok: false, bytes };
    }
    parts.push(decoder.decode(value, { stream: true }));
  }
  parts.push(decoder.decode());
  return { ok: true, text: parts.join('') };
}
