import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dredge } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const blockers: Server[] = [];
afterEach(() => {
  for (const blocker of blockers.splice(0)) blocker.close();
});

/** A port something else listens on (on 127.0.0.1, where the servers below try to listen too). */
async function takenPort(): Promise<number> {
  const blocker = createServer();
  blockers.push(blocker);
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  return (blocker.address() as { port: number }).port;
}

/** Runs `dredge` in-process in a fresh directory (its DATA_DIR in it), listening on 127.0.0.1. */
async function refusal(argv: string[], env: NodeJS.ProcessEnv = {}, dredgeJson?: object) {
  const cwd = tempDir();
  if (dredgeJson) writeFileSync(join(cwd, '.dredge.json'), JSON.stringify(dredgeJson));
  const run = await dredge(argv, {
    cwd,
    homeDir: tempDir(),
    env: { LOG_LEVEL: 'silent', BIND_HOST: '127.0.0.1', ...env },
  });
  return { code: run.code, stderr: run.stderr, stdout: run.stdout };
}

describe('a taken port names the flag or key that set it', () => {
  it('names --port and --mcp-port as typed', async () => {
    const port = await takenPort();
    expect(await refusal(['serve', '--port', String(port)])).toEqual({
      code: 1,
      stdout: '',
      stderr: `Cannot listen on 127.0.0.1:${port}: the port is in use (set by --port ${port}).\n`,
    });
    expect((await refusal(['mcp', '--port', String(port)])).stderr).toBe(
      `Cannot listen on 127.0.0.1:${port}: the port is in use (set by --port ${port}).\n`,
    );
    expect((await refusal(['up', '--port', '0', '--mcp-port', String(port)])).stderr).toBe(
      `Cannot listen on 127.0.0.1:${port}: the port is in use (set by --mcp-port ${port}).\n`,
    );
  });

  it('names the key and where it came from: the environment, .dredge.json, --set', async () => {
    const port = await takenPort();
    expect((await refusal(['mcp'], { MCP_SERVER_PORT: String(port) })).stderr).toBe(
      `Cannot listen on 127.0.0.1:${port}: the port is in use (set by MCP_SERVER_PORT=${port} from the environment).\n`,
    );
    const fromFile = await refusal(['up', '--mcp-port', '0'], {}, { DREDGE_SERVER_PORT: port });
    expect(fromFile.code).toBe(1);
    expect(fromFile.stderr).toMatch(
      new RegExp(
        `^Cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use \\(set by DREDGE_SERVER_PORT=${port} in \\S+\\.dredge\\.json\\)\\.\\n$`,
      ),
    );
    // A command's own flag wins over --set, and is the one named; --set is named when it is what set the port.
    expect((await refusal(['--set', `MCP_SERVER_PORT=${port}`, 'mcp'])).stderr).toBe(
      `Cannot listen on 127.0.0.1:${port}: the port is in use (set by --set MCP_SERVER_PORT=${port}).\n`,
    );
    expect((await refusal(['--set', 'MCP_SERVER_PORT=1', 'mcp', '--port', String(port)])).stderr).toBe(
      `Cannot listen on 127.0.0.1:${port}: the port is in use (set by --port ${port}).\n`,
    );
  });
});
