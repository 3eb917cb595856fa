import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MAX_TASK_FILE_BYTES,
  TaskFileError,
  parseTasks,
  readTaskFile,
} from '../../../src/app/batch/index.js';
import { MAX_JSON_DEPTH } from '../../../src/app/json-depth.js';
import { createCatalogue } from '../../../src/app/operations/index.js';
import { useTempDirs } from '../../helpers/temp-dir.js';

const knownOperations = new Set(createCatalogue().names);
const parse = (text: string, maxTasks?: number) =>
  parseTasks(text, { source: 'tasks.jsonl', knownOperations, ...(maxTasks ? { maxTasks } : {}) });

/** The TaskFileError parsing `text` raises: its line and message. */
function problem(text: string, maxTasks?: number): { line: number | undefined; message: string } {
  try {
    parse(text, maxTasks);
  } catch (error) {
    if (error instanceof TaskFileError) return { line: error.line, message: error.message };
    throw error;
  }
  throw new Error('expected a TaskFileError');
}

describe('task files: JSON Lines', () => {
  it('reads one task per line, skipping blank lines; params default to {}', () => {
    const tasks = parse(
      '{"operation": "unified_inference", "params": {"dredge_insight": "x"}}\n\n' +
        '  {"operation": "string_spectrum", "id": "mine"}  \r\n' +
        '{"operation": "get_metrics", "params": {}}\n',
    );
    expect(tasks).toEqual([
      { id: 'line 1', operation: 'unified_inference', params: { dredge_insight: 'x' } },
      { id: 'mine', operation: 'string_spectrum', params: {} },
      { id: 'line 4', operation: 'get_metrics', params: {} },
    ]);
  });

  it('names the line and the reason of each kind of problem', () => {
    const good = '{"operation": "unified_inference"}\n';
    expect(problem(good + good + '{"operation": "unified_inference", }\n')).toEqual({
      line: 3,
      message: 'tasks.jsonl line 3: not valid JSON (Expected double-quoted property name)',
    });
    expect(problem(good + '[1, 2]')).toMatchObject({
      line: 2,
      message: expect.stringContaining('must be a JSON object'),
    });
    expect(problem(good + 'hello')).toMatchObject({
      line: 2,
      message: expect.stringContaining("not valid JSON (Unexpected token 'h')"),
    });
    expect(problem('{"operation": "unified_inference", "param": {}}')).toMatchObject({
      line: 1,
      message: expect.stringContaining('unknown field "param"'),
    });
    expect(problem('{"params": {}}')).toMatchObject({
      line: 1,
      message: expect.stringContaining('operation must be the name'),
    });
    expect(problem('\n\n{"operation": "unified_inferense"}')).toMatchObject({
      line: 3,
      message: 'tasks.jsonl line 3: unknown operation "unified_inferense" (list_capabilities names them all)',
    });
    expect(problem('{"operation": "get_metrics", "params": [1]}')).toMatchObject({
      line: 1,
      message: expect.stringContaining('params must be a JSON object'),
    });
    expect(problem('{"operation": "get_metrics", "id": 5}')).toMatchObject({
      line: 1,
      message: expect.stringContaining('id must be a string'),
    });
    expect(problem('{"operation": "get_metrics"')).toMatchObject({
      line: 1,
      message: expect.stringContaining('not valid JSON'),
    });
  });

  it('refuses an empty file and more tasks than allowed, at the first one too many', () => {
    expect(problem('')).toEqual({ line: undefined, message: 'tasks.jsonl: the file holds no tasks' });
    expect(problem(' \n\n ')).toMatchObject({ line: undefined });
    const three = '{"operation": "get_metrics"}\n'.repeat(3);
    expect(problem(three, 2)).toMatchObject({
      line: 3,
      message: expect.stringContaining('more than 2 tasks'),
    });
  });
});

describe('task files: a JSON array', () => {
  it('reads the elements, each named by the line it starts on, whatever their strings hold', () => {
    const text = [
      '\uFEFF[',
      '  {"operation": "unified_inference",',
      '   "params": {"dredge_insight": "brackets ] } [ { , and \\"quotes\\""}},',
      '  {"operation": "get_cache_stats"}',
      ']',
      '',
    ].join('\n');
    expect(parse(text)).toEqual([
      {
        id: 'line 2',
        operation: 'unified_inference',
        params: { dredge_insight: 'brackets ] } [ { , and "quotes"' },
      },
      { id: 'line 4', operation: 'get_cache_stats', params: {} },
    ]);
  });

  it('names the line of a problem inside an element that spans lines', () => {
    const text = [
      '[',
      '  {"operation": "get_metrics"},',
      '  {',
      '    "operation": "get_metrics",',
      '    "params": {oops}',
      '  }',
      ']',
    ].join('\n');
    expect(problem(text)).toMatchObject({
      line: 5,
      message: expect.stringContaining('line 5: not valid JSON'),
    });
  });

  it('names the line of structural problems', () => {
    const task = '{"operation": "get_metrics"}';
    expect(problem(`[\n${task}\n${task}\n]`)).toMatchObject({
      line: 3,
      message:
        'tasks.jsonl line 3: not valid JSON (more text after the task: is a comma or a line break missing?)',
    });
    expect(problem(`[\n${task},\n${task},\n]`)).toMatchObject({
      line: 4,
      message: expect.stringContaining('an element is missing'),
    });
    expect(problem(`[\n${task},\n,${task}]`)).toMatchObject({
      line: 3,
      message: expect.stringContaining('an element is missing'),
    });
    expect(problem(`[\n${task},\n${task}\n`)).toMatchObject({
      line: 4,
      message: expect.stringContaining('"]" is missing'),
    });
    expect(problem(`[\n${task}\n]\n\n{}`)).toMatchObject({
      line: 5,
      message: expect.stringContaining('unexpected text after the array'),
    });
    expect(problem(`[\n${task}}\n]`)).toMatchObject({
      line: 2,
      message: expect.stringContaining('unexpected "}"'),
    });
    expect(problem('[]')).toMatchObject({ line: undefined, message: 'tasks.jsonl: the file holds no tasks' });
    expect(problem('[ 1 ]')).toMatchObject({
      line: 1,
      message: expect.stringContaining('must be a JSON object'),
    });
  });
});

describe('task files: nesting', () => {
  /** A task nested `depth` levels deep in all: the task 1, its params 2, then arrays inside arrays. */
  const nested = (depth: number) =>
    `{"operation": "unified_inference", "params": {"a": ${'['.repeat(depth - 2)}${']'.repeat(depth - 2)}}}`;

  it(`accepts a task nested ${MAX_JSON_DEPTH} levels deep and refuses one level more, naming the limit and the line`, () => {
    expect(parse(nested(MAX_JSON_DEPTH))).toHaveLength(1);
    const good = '{"operation": "unified_inference"}\n';
    expect(problem(good + nested(MAX_JSON_DEPTH + 1))).toEqual({
      line: 2,
      message: `tasks.jsonl line 2: the task is nested deeper than ${MAX_JSON_DEPTH} levels (the most JSON input may nest)`,
    });
  });

  it('refuses params nested 5,000 deep, in JSON Lines and in an array, as an error of the file', () => {
    expect(problem(nested(5_000)).message).toContain('nested deeper than 64 levels');
    expect(problem(`[\n{"operation": "get_metrics"},\n${nested(5_000)}\n]`)).toMatchObject({
      line: 3,
      message: expect.stringContaining('nested deeper than 64 levels'),
    });
  });

  it('counts no bracket inside a string', () => {
    const text = JSON.stringify({
      operation: 'unified_inference',
      params: { dredge_insight: '[{'.repeat(500) },
    });
    expect(parse(text)[0]?.params).toEqual({ dredge_insight: '[{'.repeat(500) });
  });
});

describe('reading a task file', () => {
  const tempDir = useTempDirs();

  it('reads a file and refuses a missing file, a directory and a file over the size limit', async () => {
    const dir = tempDir();
    const good = join(dir, 'tasks.jsonl');
    writeFileSync(good, '{"operation": "get_metrics"}\n');
    expect(await readTaskFile(good)).toHaveLength(1);
    await expect(readTaskFile(join(dir, 'absent.jsonl'))).rejects.toThrow(/absent\.jsonl: no such file/);
    mkdirSync(join(dir, 'folder'));
    await expect(readTaskFile(join(dir, 'folder'))).rejects.toThrow(/folder: is not a file/);
    const huge = join(dir, 'huge.jsonl');
    writeFileSync(huge, '');
    truncateSync(huge, MAX_TASK_FILE_BYTES + 1); // sparse: costs no disk
    await expect(readTaskFile(huge)).rejects.toThrow(/at most 67,108,864 bytes \(64 MiB\)/);
  });
});
