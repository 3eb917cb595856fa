import { jsonTextTooDeep, tooDeepReason } from '../json-depth.js';
import { MAX_BATCH_TASKS, type BatchTask } from './batch-task.js';
import { splitJsonArray } from './json-array-elements.js';
import { TaskFileError } from './task-file-error.js';

export interface ParseTasksOptions {
  /** The file's name, for error messages. */
  readonly source: string;
  /** When given, a task naming any other operation is an error of the file (a typo caught before the run). */
  readonly knownOperations?: ReadonlySet<string>;
  readonly maxTasks?: number;
}

/** Longest operation name and task id accepted; longer ones are mistakes, not names. */
const MAX_OPERATION_LENGTH = 100;
const MAX_ID_LENGTH = 200;
const TASK_FIELDS = new Set(['operation', 'params', 'id']);

/**
 * Reads tasks from text: a JSON array of tasks, or JSON Lines (one task per line; blank lines are skipped).
 * A task is `{"operation": NAME, "params": {…}}` with an optional `"id"`. The first problem stops the parse
 * with a TaskFileError naming its line and the reason.
 */
export function parseTasks(text: string, options: ParseTasksOptions): BatchTask[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const firstVisible = body.search(/\S/);
  if (firstVisible < 0) throw new TaskFileError(options.source, undefined, 'the file holds no tasks');
  const elements = body[firstVisible] === '[' ? arrayElements(body, options.source) : jsonLines(body);
  const maxTasks = options.maxTasks ?? MAX_BATCH_TASKS;
  const tasks: BatchTask[] = [];
  for (const element of elements) {
    if (tasks.length === maxTasks) {
      throw new TaskFileError(
        options.source,
        element.line,
        `more than ${maxTasks.toLocaleString('en-US')} tasks (the most one batch may hold)`,
      );
    }
    tasks.push(toTask(parseJson(element, options.source), element.line, options));
  }
  if (tasks.length === 0) throw new TaskFileError(options.source, undefined, 'the file holds no tasks');
  return tasks;
}

interface Element {
  readonly text: string;
  readonly line: number;
}

function arrayElements(text: string, source: string): readonly Element[] {
  const split = splitJsonArray(text);
  if (!Array.isArray(split)) throw new TaskFileError(source, split.line, split.reason);
  return split;
}

function jsonLines(text: string): Element[] {
  const elements: Element[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line !== '') elements.push({ text: line, line: i + 1 });
  }
  return elements;
}

function parseJson(element: Element, source: string): unknown {
  // Before parsing: a task nested thousands deep parses, but fails later in JSON.stringify and the schemas.
  if (jsonTextTooDeep(element.text)) throw new TaskFileError(source, element.line, tooDeepReason('the task'));
  try {
    return JSON.parse(element.text) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /at position (\d+)/.exec(message);
    const offset = position ? Number(position[1]) : 0;
    const line = element.line + (element.text.slice(0, offset).match(/\n/g)?.length ?? 0);
    throw new TaskFileError(source, line, `not valid JSON (${describeSyntaxError(message)})`);
  }
}

/** V8's sentence without its position (the line says where) or its quotation of the whole text. */
function describeSyntaxError(message: string): string {
  const quoted = /^(Unexpected token .*?), ".*" is not valid JSON$/s.exec(message);
  if (quoted) return quoted[1] as string;
  if (message.startsWith('Unexpected non-whitespace character after JSON')) {
    return 'more text after the task: is a comma or a line break missing?';
  }
  return message.replace(/ (in|after) JSON at position \d+.*$/s, '').replace(/ of JSON input$/, '');
}

function toTask(value: unknown, line: number, options: ParseTasksOptions): BatchTask {
  const fail = (reason: string): never => {
    throw new TaskFileError(options.source, line, reason);
  };
  if (!isPlainObject(value)) {
    return fail('a task must be a JSON object like {"operation": "unified_inference", "params": {}}');
  }
  for (const key of Object.keys(value)) {
    if (!TASK_FIELDS.has(key)) {
      fail(`unknown field "${key.slice(0, 50)}" (a task has operation, params and, optionally, id)`);
    }
  }
  const { operation, params, id } = value;
  if (typeof operation !== 'string' || operation === '' || operation.length > MAX_OPERATION_LENGTH) {
    return fail(
      `operation must be the name of an operation (a string of 1 to ${MAX_OPERATION_LENGTH} characters)`,
    );
  }
  if (options.knownOperations && !options.knownOperations.has(operation)) {
    fail(`unknown operation "${operation}" (list_capabilities names them all)`);
  }
  if (params !== undefined && !isPlainObject(params)) fail('params must be a JSON object');
  if (id !== undefined && (typeof id !== 'string' || id.length > MAX_ID_LENGTH)) {
    fail(`id must be a string of at most ${MAX_ID_LENGTH} characters`);
  }
  return {
    id: typeof id === 'string' ? id : `line ${line}`,
    operation,
    params: (params ?? {}) as Record<string, unknown>,
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
