/**
 * The client over HTTPS to a server whose certificate a private authority signed, in a process of its own (a
 * process's trusted authorities are set when it starts, or by a call that changes them for the whole process):
 * trusted through NODE_EXTRA_CA_CERTS, through tls.setDefaultCACertificates, and refused without either.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tls from 'node:tls';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithBinary } from '../helpers/binaries.js';
import { startMcpServer, type RunningMcpServer } from '../helpers/mcp-server.js';
import { keyWith } from './client-test-kit.js';

const run = promisify(execFile);
const CLIENT = pathToFileURL(resolve(import.meta.dirname, '../../src/client/index.ts')).href;

/** A private authority, and a certificate it signed for localhost and 127.0.0.1 (a day long), in `dir`. */
function makeAuthority(dir: string): { ca: string; cert: string; key: string } {
  const files = {
    ca: join(dir, 'ca.pem'),
    caKey: join(dir, 'ca-key.pem'),
    csr: join(dir, 'server.csr'),
    cert: join(dir, 'server.pem'),
    key: join(dir, 'server-key.pem'),
    ext: join(dir, 'server.ext'),
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  writeFileSync(files.ext, 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  for (const args of [
    [
      'req',
      '-x509',
      ...ec,
      '-days',
      '1',
      '-keyout',
      files.caKey,
      '-out',
      files.ca,
      '-subj',
      '/CN=DREDGE test CA',
    ],
    ['req', ...ec, '-keyout', files.key, '-out', files.csr, '-subj', '/CN=localhost'],
    [
      'x509',
      '-req',
      '-in',
      files.csr,
      '-CA',
      files.ca,
      '-CAkey',
      files.caKey,
      '-CAcreateserial',
      '-days',
      '1',
    ],
  ]) {
    const output = args[0] === 'x509' ? ['-extfile', files.ext, '-out', files.cert] : [];
    const result = spawnSync('openssl', [...args, ...output], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
  }
  return { ca: files.ca, cert: files.cert, key: files.key };
}

/** What the script printed: the answer's `success`, or the error's name, code and message. */
interface Outcome {
  readonly ok: boolean;
  readonly success?: boolean;
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
}

describeWithBinary('openssl', 'the client over HTTPS with a private certificate authority', () => {
  let dir: string;
  let files: { ca: string; cert: string; key: string };
  let server: RunningMcpServer;
  let apiKey: string;
  let script: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dredge-client-tls-'));
    files = makeAuthority(dir);
    server = await startMcpServer({
      TLS_CERT_FILE: files.cert,
      TLS_KEY_FILE: files.key,
      AUTH_ENABLED: 'true',
    });
    apiKey = await keyWith(server.services, 'read');
    script = join(dir, 'call.mts');
    writeFileSync(
      script,
      [
        "import { readFileSync } from 'node:fs';",
        "import tls from 'node:tls';",
        `import { McpServerClient } from ${JSON.stringify(CLIENT)};`,
        'const [url, caFile] = process.argv.slice(2);',
        'if (caFile) {',
        "  tls.setDefaultCACertificates([...tls.getCACertificates('default'), readFileSync(caFile, 'utf8')]);",
        '}',
        'const client = new McpServerClient({ baseUrl: url, apiKey: process.env.DREDGE_API_KEY });',
        'try {',
        "  const answer = await client.call('string_parameters');",
        '  console.log(JSON.stringify({ ok: true, success: answer.success }));',
        '} catch (error) {',
        '  console.log(JSON.stringify({ ok: false, name: error.name, code: error.code, message: error.message }));',
        '}',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function callFrom(env: Record<string, string>, caFile?: string): Promise<Outcome> {
    const { NODE_EXTRA_CA_CERTS: _inherited, ...parent } = process.env;
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', script, server.url, ...(caFile ? [caFile] : [])],
      { cwd: resolve(import.meta.dirname, '../..'), env: { ...parent, DREDGE_API_KEY: apiKey, ...env } },
    );
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Outcome;
  }

  it('reaches the server when NODE_EXTRA_CA_CERTS names the authority', async () => {
    expect(server.url).toMatch(/^https:/);
    expect(await callFrom({ NODE_EXTRA_CA_CERTS: files.ca })).toEqual({ ok: true, success: true });
  });

  // Node.js 22.19 and 24.5 added it; the oldest supported Node.js (22.14, which CI also runs) has none.
  it.skipIf(typeof (tls as { setDefaultCACertificates?: unknown }).setDefaultCACertificates !== 'function')(
    'reaches it when the process adds the authority with tls.setDefaultCACertificates',
    async () => {
      expect(await callFrom({}, files.ca)).toEqual({ ok: true, success: true });
    },
  );

  it('refuses a server it cannot trust as a network failure naming the reason, without the key', async () => {
    const outcome = await callFrom({});
    expect(outcome).toMatchObject({ ok: false, name: 'DredgeClientError', code: 'network_error' });
    expect(outcome.message).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify|self.signed/i);
    expect(outcome.message).not.toContain(apiKey);
  });
});
