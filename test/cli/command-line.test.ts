import { describe, expect, it } from 'vitest';
import { suggestSimilar } from '../../src/cli/suggest.js';
import { dredge } from '../helpers/cli.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();
const run = (argv: string[]) => dredge(argv, { cwd: tempDir(), homeDir: tempDir() });

/** A mistake is answered with exactly one line on stderr, nothing on stdout, and exit code 2. */
async function expectUsageError(argv: string[], line: string): Promise<void> {
  const result = await run(argv);
  expect({ code: result.code, stdout: result.stdout, stderr: result.stderr }).toEqual({
    code: 2,
    stdout: '',
    stderr: `${line}\n`,
  });
}

describe('the command line, as a newcomer meets it', () => {
  it('names an unknown command, with a guess when one is close, in one line and exit code 2', async () => {
    await expectUsageError(['bogus'], "error: unknown command 'bogus'");
    await expectUsageError(['serv'], "error: unknown command 'serv' (Did you mean serve?)");
    // The guess comes before any complaint about the options, which belong to the command meant.
    await expectUsageError(['serv', '--port', '3000'], "error: unknown command 'serv' (Did you mean serve?)");
    await expectUsageError(
      ['--no-spinner', 'helth'],
      "error: unknown command 'helth' (Did you mean health?)",
    );
    await expectUsageError(['config', 'sho'], "error: unknown command 'sho' (Did you mean show?)");
  });

  it('names an unknown option in one line and exit code 2, not followed by the whole help', async () => {
    await expectUsageError(['--bogus'], "error: unknown option '--bogus'");
    await expectUsageError(
      ['--data-dri', 'x', 'info'],
      "error: unknown option '--data-dri' (Did you mean --data-dir?)",
    );
    await expectUsageError(['serve', '--bogus'], "error: unknown option '--bogus'");
    await expectUsageError(['serve', '--prot', '1'], "error: unknown option '--prot' (Did you mean --port?)");
    await expectUsageError(
      ['serve', 'extra'],
      "error: too many arguments for 'serve'. Expected 0 arguments but got 1: extra.",
    );
  });

  it('prints the help with no command, with `help`, and a command’s help with `help <command>`', async () => {
    for (const argv of [[], ['help'], ['--help']]) {
      const result = await run(argv);
      expect(result.code, argv.join(' ')).toBe(0);
      expect(result.stdout).toMatch(/^Usage: dredge \[options\] \[command\]/);
      expect(result.stderr).toBe('');
    }
    const serve = await run(['help', 'serve']);
    expect(serve.code).toBe(0);
    expect(serve.stdout).toMatch(/^Usage: dredge serve \[options\]/);
    expect(serve.stdout).toContain('--port <port>');
    const show = await run(['help', 'config', 'show']);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^Usage: dredge config show \[options\]/);
    await expectUsageError(['help', 'serv'], "error: unknown command 'serv' (Did you mean serve?)");
    await expectUsageError(['help', 'config', 'shw'], "error: unknown command 'shw' (Did you mean show?)");
  });

  it('still prints the version, and the version information', async () => {
    expect((await run(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const info = await run(['--version-info']);
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/^dredge \d+\.\d+\.\d+\n/);
  });
});

describe('suggestSimilar', () => {
  it('guesses the closest names, or nothing when none is close', () => {
    expect(suggestSimilar('serv', ['serve', 'up', 'mcp'])).toBe(' (Did you mean serve?)');
    expect(suggestSimilar('--prot', ['--port', '--host'])).toBe(' (Did you mean --port?)');
    expect(suggestSimilar('mpc', ['mcp', 'up'])).toBe(' (Did you mean mcp?)');
    expect(suggestSimilar('uq', ['up', 'ui'])).toBe(' (Did you mean one of ui, up?)');
    expect(suggestSimilar('bogus', ['serve', 'health', 'up'])).toBe('');
  });
});
