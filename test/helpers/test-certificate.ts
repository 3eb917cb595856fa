import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * A self-signed certificate (P-256, a day long) for the given host names and addresses, and its key, made by
 * `openssl` in `dir`: `cert.pem` and `key.pem`.
 */
export function makeTestCertificate(
  dir: string,
  names: { readonly dns: readonly string[]; readonly ip: readonly string[] },
): { readonly cert: string; readonly key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const altNames = [...names.dns.map((name) => `DNS:${name}`), ...names.ip.map((ip) => `IP:${ip}`)];
  const result = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-keyout',
      key,
      '-out',
      cert,
      '-subj',
      `/CN=${names.dns[0] ?? names.ip[0] ?? 'localhost'}`,
      '-addext',
      `subjectAltName=${altNames.join(',')}`,
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`openssl failed: ${result.stderr}`);
  return { cert, key };
}
