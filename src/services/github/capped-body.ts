import { DredgeError } from '../errors.js';

/**
 * The body of one GitHub API answer as JSON, reading at most `maxBytes` of it (GITHUB_MAX_RESPONSE_BYTES, after
 * any decompression): a longer answer — declared so by its Content-Length, or found so while reading — is
 * abandoned there (the connection is cancelled, nothing more is read) and answered 502 naming the bound.
 */
export async function readCappedJson(response: Response, maxBytes: number): Promise<unknown> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLong(maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let length = 0;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.byteLength;
      if (length > maxBytes) {
        await reader.cancel();
        throw tooLong(maxBytes);
      }
      chunks.push(value);
    }
  }
  try {
    return JSON.parse(Buffer.concat(chunks, length).toString('utf8')) as unknown;
  } catch {
    throw new DredgeError('unavailable', 'The GitHub API answered with something that is not JSON.');
  }
}

function tooLong(maxBytes: number): DredgeError {
  return new DredgeError(
    'upstream',
    `The GitHub API answered with more than ${maxBytes} bytes (GITHUB_MAX_RESPONSE_BYTES); the rest was not read.`,
  );
}
