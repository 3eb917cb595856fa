/**
 * A reader of Dockerfiles, enough to check deploy/Dockerfile and to stage what its image holds: comments, line
 * continuations, build stages, and each instruction's flags and arguments. Instructions are read as the builder
 * reads them (keywords in any case, `--flag=value` options first, JSON or shell form after); heredocs, a changed
 * escape character and variable expansion are not supported, and a Dockerfile using them is refused rather than
 * misread.
 */

export interface Instruction {
  /** The keyword in upper case: FROM, RUN, COPY … */
  readonly keyword: string;
  /** The leading `--name=value` options (`--name` alone has the value ''). */
  readonly flags: ReadonlyMap<string, string>;
  /** What follows the flags, continuation lines joined by a space. */
  readonly args: string;
  /** The line it starts on, counting from 1. */
  readonly line: number;
}

export interface Stage {
  /** `AS name`, lower-cased as the builder compares names, if it has one. */
  readonly name: string | undefined;
  /** The image (or earlier stage) it starts from. */
  readonly base: string;
  readonly from: Instruction;
  /** Every instruction after its FROM. */
  readonly instructions: readonly Instruction[];
}

export interface Dockerfile {
  /** ARGs before the first FROM (they may only parameterise FROM lines). */
  readonly globalArgs: readonly Instruction[];
  readonly stages: readonly Stage[];
}

/** A logical line: what one instruction spans once its continuations are joined. */
interface LogicalLine {
  readonly text: string;
  readonly line: number;
}

export function parseDockerfile(text: string): Dockerfile {
  const globalArgs: Instruction[] = [];
  const stages: { name: string | undefined; base: string; from: Instruction; instructions: Instruction[] }[] =
    [];
  for (const logical of logicalLines(text)) {
    const instruction = parseInstruction(logical);
    if (instruction.keyword === 'FROM') {
      const [base, as, name, ...rest] = words(instruction.args);
      const named = as?.toUpperCase() === 'AS' && name !== undefined && rest.length === 0;
      if (base === undefined || (as !== undefined && !named)) {
        throw new Error(`line ${instruction.line}: FROM takes an image and an optional "AS name"`);
      }
      stages.push({
        name: named ? name.toLowerCase() : undefined,
        base,
        from: instruction,
        instructions: [],
      });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') {
        throw new Error(`line ${instruction.line}: ${instruction.keyword} before the first FROM`);
      }
      globalArgs.push(instruction);
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  if (stages.length === 0) throw new Error('a Dockerfile without FROM');
  return { globalArgs, stages };
}

/** The lines instructions are read from: comments and blank lines dropped, continuations joined. */
function logicalLines(text: string): LogicalLine[] {
  const lines = text.split(/\r?\n/);
  const directives = directiveLines(lines);
  const logical: LogicalLine[] = [];
  let pending: { parts: string[]; line: number } | undefined;
  lines.forEach((raw, index) => {
    const trimmed = raw.trim();
    // The builder drops comment lines and blank lines, even inside a continuation.
    if (trimmed === '') return;
    if (trimmed.startsWith('#')) {
      if (index < directives && /^#\s*escape\s*=/i.test(trimmed)) {
        throw new Error(`line ${index + 1}: the escape directive is not supported`);
      }
      return;
    }
    const continues = /\\\s*$/.test(raw);
    const part = continues ? raw.replace(/\\\s*$/, '') : raw;
    pending ??= { parts: [], line: index + 1 };
    pending.parts.push(part.trim());
    if (!continues) {
      logical.push({ text: pending.parts.filter((part) => part !== '').join(' '), line: pending.line });
      pending = undefined;
    }
  });
  if (pending !== undefined) throw new Error(`line ${pending.line}: a continuation runs past the end`);
  return logical;
}

/** How many lines at the top are parser directives (`# name=value`), which must come before anything else. */
function directiveLines(lines: readonly string[]): number {
  let count = 0;
  while (count < lines.length && /^#\s*[a-z]+\s*=/i.test(lines[count]!.trim())) count += 1;
  return count;
}

function parseInstruction({ text, line }: LogicalLine): Instruction {
  const match = /^(\S+)\s*(.*)$/s.exec(text);
  if (!match) throw new Error(`line ${line}: no instruction`);
  const keyword = match[1]!.toUpperCase();
  let rest = match[2]!;
  if (/<<-?\s*["']?[A-Za-z_][A-Za-z0-9_]*/.test(rest) && (keyword === 'RUN' || keyword === 'COPY')) {
    throw new Error(`line ${line}: heredocs are not supported`);
  }
  const flags = new Map<string, string>();
  for (;;) {
    const flag = /^--([a-z][a-z-]*)(?:=(\S*))?(?:\s+|$)/.exec(rest);
    if (!flag) break;
    if (flags.has(flag[1]!)) throw new Error(`line ${line}: --${flag[1]} given twice`);
    flags.set(flag[1]!, flag[2] ?? '');
    rest = rest.slice(flag[0].length);
  }
  return { keyword, flags, args: rest.trim(), line };
}

/** The JSON ("exec") form of CMD, ENTRYPOINT, RUN, COPY …: an array of strings, or undefined for shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    return undefined; // The builder reads an invalid array as shell form too.
  }
  return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : undefined;
}

/**
 * Splits text into words as the builder does for ENV, LABEL, COPY and FROM: on unquoted whitespace, with
 * '…' and "…" quoting and backslash escapes, the quotes removed.
 */
export function words(text: string): string[] {
  const result: string[] = [];
  let current: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quote === undefined && /\s/.test(char)) {
      if (current !== undefined) result.push(current);
      current = undefined;
      continue;
    }
    current ??= '';
    if (char === '\\' && quote !== "'" && i + 1 < text.length) {
      current += text[++i];
    } else if (char === quote) {
      quote = undefined;
    } else if (quote === undefined && (char === '"' || char === "'")) {
      quote = char;
    } else {
      current += char;
    }
  }
  if (quote !== undefined) throw new Error(`an unclosed ${quote} in: ${text}`);
  if (current !== undefined) result.push(current);
  return result;
}

/** ENV's and LABEL's `name=value …` pairs, in order (ENV's older `ENV name value` too); ARG's `name[=default]`. */
export function keyValues(instruction: Instruction): [string, string][] {
  const parts = words(instruction.args);
  if (instruction.keyword === 'ENV' && parts.length > 0 && !parts[0]!.includes('=')) {
    const [name, ...value] = instruction.args.split(/\s+/);
    return [[name!, words(value.join(' ')).join(' ')]];
  }
  return parts.map((part) => {
    const at = part.indexOf('=');
    if (at === -1 && instruction.keyword === 'ARG') return [part, ''];
    if (at <= 0) throw new Error(`line ${instruction.line}: "${part}" is not name=value`);
    return [part.slice(0, at), part.slice(at + 1)];
  });
}

/** A COPY's sources and destination, in either form. */
export function copyPaths(instruction: Instruction): { sources: string[]; destination: string } {
  const all = execForm(instruction.args) ?? words(instruction.args);
  if (all.length < 2) throw new Error(`line ${instruction.line}: COPY needs a source and a destination`);
  return { sources: all.slice(0, -1), destination: all.at(-1)! };
}

/** HEALTHCHECK's options and command (exec form as given; shell form as `/bin/sh -c …`), or 'NONE'. */
export function healthcheckCommand(instruction: Instruction): string[] | 'NONE' {
  if (instruction.args.toUpperCase() === 'NONE') return 'NONE';
  const match = /^CMD\s+(.*)$/is.exec(instruction.args);
  if (!match) throw new Error(`line ${instruction.line}: HEALTHCHECK takes CMD … or NONE`);
  return execForm(match[1]!) ?? ['/bin/sh', '-c', match[1]!];
}

/** The instructions of a stage with this keyword, in order. */
export function instructionsOf(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword);
}

/** The stage an instruction's `--from` (or a FROM) names, by name or index; undefined for an image. */
export function stageNamed(dockerfile: Dockerfile, reference: string): Stage | undefined {
  const byName = dockerfile.stages.find((stage) => stage.name === reference.toLowerCase());
  if (byName) return byName;
  return /^\d+$/.test(reference) ? dockerfile.stages[Number(reference)] : undefined;
}
