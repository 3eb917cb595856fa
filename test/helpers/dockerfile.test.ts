import { describe, expect, it } from 'vitest';
import {
  copyPaths,
  execForm,
  healthcheckCommand,
  instructionsOf,
  keyValues,
  parseDockerfile,
  stageNamed,
  words,
} from './dockerfile.js';
import { parseDockerIgnore } from './dockerignore.js';

const SAMPLE = `# A leading comment, not a directive: it names no key=value.
ARG BASE=node:24.0.0-slim
FROM \${BASE} AS Build
WORKDIR /src
RUN npm ci \\
  # a comment inside a continuation is dropped
  --omit=dev \\

  && echo done
COPY --from=build --chown=1000:1000 /src/dist ./dist

from build
ENV A=1 B="two words" C=a\\ b
ENV LEGACY some value
LABEL org.opencontainers.image.title="X" description='single quoted'
COPY ["a file", "b", "/dest/"]
HEALTHCHECK --interval=5s --retries=2 CMD ["node", "check.mjs"]
CMD echo shell form
`;

describe('parseDockerfile', () => {
  const parsed = parseDockerfile(SAMPLE);

  it('reads global ARGs, stages with their names and bases, and each stage’s instructions', () => {
    expect(parsed.globalArgs.map((arg) => arg.args)).toEqual(['BASE=node:24.0.0-slim']);
    expect(parsed.stages.map((stage) => [stage.name, stage.base])).toEqual([
      ['build', '${BASE}'],
      [undefined, 'build'],
    ]);
    expect(parsed.stages[0]!.instructions.map((i) => i.keyword)).toEqual(['WORKDIR', 'RUN', 'COPY']);
    expect(stageNamed(parsed, 'BUILD')).toBe(parsed.stages[0]);
    expect(stageNamed(parsed, '1')).toBe(parsed.stages[1]);
    expect(stageNamed(parsed, 'node:24')).toBeUndefined();
  });

  it('joins continuations, dropping comment and blank lines inside them, and keeps the first line number', () => {
    const [run] = instructionsOf(parsed.stages[0]!, 'RUN');
    expect(run).toMatchObject({ args: 'npm ci --omit=dev && echo done', line: 5 });
  });

  it('reads leading flags, with or without a value, apart from the arguments', () => {
    const [copy] = instructionsOf(parsed.stages[0]!, 'COPY');
    expect(Object.fromEntries(copy!.flags)).toEqual({ from: 'build', chown: '1000:1000' });
    expect(copyPaths(copy!)).toEqual({ sources: ['/src/dist'], destination: './dist' });
    const [exec] = instructionsOf(parsed.stages[1]!, 'COPY');
    expect(copyPaths(exec!)).toEqual({ sources: ['a file', 'b'], destination: '/dest/' });
  });

  it('reads ENV and LABEL pairs with quotes and escapes, and the older ENV form', () => {
    const [env, legacy] = instructionsOf(parsed.stages[1]!, 'ENV');
    expect(keyValues(env!)).toEqual([
      ['A', '1'],
      ['B', 'two words'],
      ['C', 'a b'],
    ]);
    expect(keyValues(legacy!)).toEqual([['LEGACY', 'some value']]);
    const [label] = instructionsOf(parsed.stages[1]!, 'LABEL');
    expect(keyValues(label!)).toEqual([
      ['org.opencontainers.image.title', 'X'],
      ['description', 'single quoted'],
    ]);
    expect(keyValues(parsed.globalArgs[0]!)).toEqual([['BASE', 'node:24.0.0-slim']]);
  });

  it('tells exec form from shell form', () => {
    const [healthcheck] = instructionsOf(parsed.stages[1]!, 'HEALTHCHECK');
    expect(Object.fromEntries(healthcheck!.flags)).toEqual({ interval: '5s', retries: '2' });
    expect(healthcheckCommand(healthcheck!)).toEqual(['node', 'check.mjs']);
    const [cmd] = instructionsOf(parsed.stages[1]!, 'CMD');
    expect(execForm(cmd!.args)).toBeUndefined();
    expect(execForm('["a", 1]')).toBeUndefined();
    expect(words(`a "b c" 'd\\e' f\\ g`)).toEqual(['a', 'b c', 'd\\e', 'f g']);
  });

  it('refuses what it cannot read faithfully', () => {
    expect(() => parseDockerfile('# escape=`\nFROM x')).toThrow(/escape directive/);
    expect(() => parseDockerfile('FROM x\nRUN <<EOF\necho\nEOF')).toThrow(/heredocs/);
    expect(() => parseDockerfile('RUN echo')).toThrow(/before the first FROM/);
    expect(() => parseDockerfile('FROM x\nRUN a \\')).toThrow(/continuation/);
    expect(() => parseDockerfile('# only a comment')).toThrow(/without FROM/);
  });
});

describe('parseDockerIgnore', () => {
  const ignore = parseDockerIgnore(
    ['# comment', '', 'node_modules', '**/*.log', '/dist/', '.env*', '!.env.example', 'docs/*.md'].join('\n'),
  );

  it('leaves out what a pattern matches, and everything inside a directory it matches', () => {
    expect(ignore.ignores('node_modules')).toBe(true);
    expect(ignore.ignores('node_modules/a/b.js')).toBe(true);
    expect(ignore.ignores('dist/src/index.js')).toBe(true);
    expect(ignore.ignores('a/b/c.log')).toBe(true);
    expect(ignore.ignores('c.log')).toBe(true);
    expect(ignore.ignores('docs/a.md')).toBe(true);
  });

  it('matches from the context root, `*` within one segment, and lets `!` take a path back', () => {
    expect(ignore.ignores('src/node_modules')).toBe(false);
    expect(ignore.ignores('docs/deep/a.md')).toBe(false);
    expect(ignore.ignores('.env.local')).toBe(true);
    expect(ignore.ignores('.env.example')).toBe(false);
    expect(ignore.ignores('src/index.ts')).toBe(false);
  });
});
