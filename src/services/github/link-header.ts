/**
 * The URL of the `rel="next"` link in an HTTP `Link` header (RFC 8288), as GitHub writes it for paginated lists:
 * `<https://api.github.com/…&after=…>; rel="next", <…>; rel="last"`. Written here rather than taken from a
 * package: GitHub's form is this one, only `next` is read, and the URL found is checked by the caller anyway.
 */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const link of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const parameters = link[2] ?? '';
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(parameters);
    const relations = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    if (relations.includes('next')) return link[1];
  }
  return undefined;
}
