/**
 * A `.dockerignore`, read as the builder reads it: one pattern a line (comments and blank lines skipped), paths
 * relative to the context root, `*` and `?` within one path segment, `**` across any number of them, `!` taking a
 * path back in, the last matching line deciding. A pattern that matches a directory leaves out all inside it.
 */
export interface DockerIgnore {
  /** Whether the builder leaves this context path (`a/b/c`, relative to the root) out of the context. */
  ignores(path: string): boolean;
}

interface Rule {
  readonly pattern: RegExp;
  readonly include: boolean;
}

export function parseDockerIgnore(text: string): DockerIgnore {
  const rules: Rule[] = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const include = line.startsWith('!');
      const body = (include ? line.slice(1) : line).trim().replace(/^\/+/, '').replace(/\/+$/, '');
      return { pattern: globToRegExp(body), include };
    });
  return {
    ignores(path: string): boolean {
      const candidates = ancestorsAndSelf(path.replace(/^\.?\/+/, '').replace(/\/+$/, ''));
      let ignored = false;
      for (const rule of rules) {
        if (candidates.some((candidate) => rule.pattern.test(candidate))) ignored = !rule.include;
      }
      return ignored;
    },
  };
}

/** `a/b/c` → `a`, `a/b`, `a/b/c`. */
function ancestorsAndSelf(path: string): string[] {
  const segments = path.split('/');
  return segments.map((_, index) => segments.slice(0, index + 1).join('/'));
}

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*' && glob[i + 1] === '*') {
      const slashAfter = glob[i + 2] === '/';
      // `**/` is zero or more whole segments; a final `**` is anything at all.
      source += slashAfter ? '(?:[^/]+/)*' : '.*';
      i += slashAfter ? 2 : 1;
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}
