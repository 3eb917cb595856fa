import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithBinary } from '../../helpers/binaries.js';
import { dredge } from '../../helpers/cli.js';
import { startMcpServer, type RunningMcpServer } from '../../helpers/mcp-server.js';
import { useTempDirs } from '../../helpers/temp-dir.js';
import { makeTestCertificate } from '../../helpers/test-certificate.js';

const tempDir = useTempDirs();

/** GET over https trusting only `ca`: the status and the headers. */
function httpsGet(url: string, ca: Buffer): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describeWithBinary('openssl', 'TLS on the servers', () => {
  let server: RunningMcpServer;
  let files: { cert: string; key: string };

  let certificateDir: string;

  beforeAll(async () => {
    // Its own folder, kept for every test of the block (temp dirs of useTempDirs go after each test).
    certificateDir = mkdtempSync(join(tmpdir(), 'dredge-tls-'));
    files = makeTestCertificate(certificateDir, { dns: ['localhost'], ip: ['127.0.0.1'] });
    server = await startMcpServer({ TLS_CERT_FILE: files.cert, TLS_KEY_FILE: files.key });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(certificateDir, { recursive: true, force: true });
  });

  it('speaks HTTPS only, with HSTS', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const answer = await httpsGet(`${server.url}/health`, readFileSync(files.cert));
    expect(answer.status).toBe(200);
    expect(answer.headers['strict-transport-security']).toBe('max-age=31536000');
    const plain = server.url.replace('https:', 'http:');
    await expect(fetch(`${plain}/health`)).rejects.toThrow();
  });

  it('is what dredge batch --url https:// --ca reaches', async () => {
    const options = { cwd: tempDir(), homeDir: tempDir(), env: { LOG_LEVEL: 'silent' } };
    const run = await dredge(
      ['batch', '--json', '--url', server.url, '--ca', files.cert, '--tasks', '5'],
      options,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ mode: 'http', completed: 5, successful: 5 });
    // Without the authority, the server's certificate is not trusted: a sentence, not a stack trace.
    const untrusted = await dredge(['batch', '--url', server.url, '--tasks', '5'], options);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/Cannot reach a DREDGE server at https:/);
  });

  it('refuses one of the two files without the other, naming both keys', async () => {
    const run = await dredge(['mcp', '--port', '0'], {
      cwd: tempDir(),
      homeDir: tempDir(),
      env: { TLS_CERT_FILE: files.cert },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/TLS_CERT_FILE is set but TLS_KEY_FILE is not: set both, or neither\./);
  });
});
