/** One top-level element of a JSON array, as text, with the line it starts on. */
export interface ElementText {
  readonly text: string;
  /** 1-based line of the element's first character. */
  readonly line: number;
}

/** Why the array's own structure is broken, and where; element contents are checked by JSON.parse later. */
export interface StructureProblem {
  readonly line: number;
  readonly reason: string;
}

/**
 * Splits the text of a JSON array into the texts of its top-level elements, tracking lines. JSON.parse of the
 * whole file would say only "at position N" (and sometimes not even that), never which task was wrong; parsing
 * each element separately lets every problem be reported on the line of the task that has it. Only strings
 * (with escapes), brackets and commas are followed here: whatever else is wrong is found when the element is parsed.
 */
export function splitJsonArray(text: string): ElementText[] | StructureProblem {
  let line = 1;
  let index = text.indexOf('[');
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === NEWLINE) line += 1;
  const elements: ElementText[] = [];
  let depth = 1;
  let inString = false;
  let start = index + 1;
  let startLine = line;
  let commas = 0;
  const closeElement = (end: number, endLine: number, atArrayEnd: boolean): StructureProblem | undefined => {
    const raw = text.slice(start, end);
    const trimmed = raw.trim();
    if (trimmed === '') {
      // `[]` is an empty array; `[,`, `,,` and `,]` are holes.
      if (atArrayEnd && commas === 0) return undefined;
      return { line: endLine, reason: 'an element is missing (a comma with nothing before or after it)' };
    }
    const leading = raw.length - raw.trimStart().length;
    let elementLine = startLine;
    for (let i = start; i < start + leading; i++) if (text.charCodeAt(i) === NEWLINE) elementLine += 1;
    elements.push({ text: trimmed, line: elementLine });
    return undefined;
  };
  for (index += 1; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === NEWLINE) line += 1;
    if (inString) {
      if (code === BACKSLASH) index += 1;
      else if (code === QUOTE) inString = false;
      continue;
    }
    if (code === QUOTE) inString = true;
    else if (code === OPEN_BRACKET || code === OPEN_BRACE) depth += 1;
    else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth -= 1;
      if (depth > 0) continue;
      if (code === CLOSE_BRACE) return { line, reason: 'unexpected "}" where the array should continue' };
      const problem = closeElement(index, line, true);
      if (problem) return problem;
      const rest = text.slice(index + 1);
      if (rest.trim() !== '') {
        const offset = rest.length - rest.trimStart().length;
        return {
          line: line + countNewlines(rest.slice(0, offset)),
          reason: 'unexpected text after the array',
        };
      }
      return elements;
    } else if (code === COMMA && depth === 1) {
      const problem = closeElement(index, line, false);
      if (problem) return problem;
      commas += 1;
      start = index + 1;
      startLine = line;
    }
  }
  return { line, reason: 'the file ends before the array is closed (a "]" is missing)' };
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === NEWLINE) count += 1;
  return count;
}

const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;
const QUOTE = 0x22;
const COMMA = 0x2c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
