import { join } from 'node:path';
import ts from 'typescript';
import { asString, isJsonObject, type JsonObject } from './json-value.js';

/**
 * Checks of rendered objects against the Kubernetes API's schemas, offline, with the `kubernetes-models` package:
 * its model classes validate types, formats, enums and required fields, and its type declarations, through
 * TypeScript's check of object literals, name every field the API does not have (the models' validators accept
 * unknown fields, which the API server refuses: a misspelt `readinesProbe` would otherwise pass).
 */

interface ModelClass {
  new (data: JsonObject): { validate(): void };
}

/** `kubernetes-models/<group>/<version>/<Kind>`: the module of an apiVersion and kind (the core group is `v1`). */
function modelModule(apiVersion: string, kind: string): string {
  return `kubernetes-models/${apiVersion}/${kind}`;
}

/** The schema's complaint about `object`, or undefined when it is valid. */
export async function schemaProblem(object: JsonObject): Promise<string | undefined> {
  const apiVersion = asString(object.apiVersion, 'apiVersion');
  const kind = asString(object.kind, 'kind');
  let module: Record<string, unknown>;
  try {
    module = (await import(modelModule(apiVersion, kind))) as Record<string, unknown>;
  } catch {
    return `${apiVersion} ${kind} is not a kind of the Kubernetes API`;
  }
  const Model = module[kind] as ModelClass | undefined;
  if (typeof Model !== 'function') return `kubernetes-models has no class ${kind} for ${apiVersion}`;
  try {
    new Model(asTheServerDecodesIt(object)).validate();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * A Secret's base64 values without line breaks: kustomize cuts long values into lines, which the API server's
 * decoder (Go's) skips, while the models' "byte" format does not allow them.
 */
function asTheServerDecodesIt(object: JsonObject): JsonObject {
  if (object.kind !== 'Secret' || !isJsonObject(object.data)) return object;
  const data = Object.fromEntries(
    Object.entries(object.data).map(([key, value]) => [
      key,
      typeof value === 'string' ? value.replace(/[\r\n]/g, '') : value,
    ]),
  );
  return { ...object, data };
}

/**
 * What TypeScript finds wrong with `objects` declared as their kinds' interfaces, one message each: above all a
 * field the kind does not have ("… 'readinesProbe' does not exist in type 'IContainer'"), from one program that declares each object as its kind's interface. The program
 * lives in memory beside this file, so that `kubernetes-models` resolves from the project's node_modules.
 */
export function typeProblems(objects: readonly JsonObject[]): string[] {
  const fileName = join(import.meta.dirname, '__kubernetes_objects__.ts');
  const lines = objects.flatMap((object, i) => {
    const apiVersion = asString(object.apiVersion, 'apiVersion');
    const kind = asString(object.kind, 'kind');
    return [
      `import type { I${kind} as Kind${i} } from '${modelModule(apiVersion, kind)}';`,
      `export const object${i}: Kind${i} = ${JSON.stringify(object)};`,
    ];
  });
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    types: [],
    skipLibCheck: true,
  };
  const host = ts.createCompilerHost(options);
  const readSource = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === fileName ? ts.createSourceFile(name, source, language) : readSource(name, language, ...rest);
  host.fileExists = (name) => name === fileName || fileExists(name);
  const program = ts.createProgram([fileName], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const line =
      diagnostic.file && diagnostic.start !== undefined
        ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line
        : undefined;
    // Lines come in pairs (import, object): the object's index names the object at fault.
    const index = line === undefined ? undefined : Math.floor(line / 2);
    const object = index === undefined ? undefined : objects[index];
    const where = object ? `${String(object.kind)} ${String((object.metadata as JsonObject).name)}: ` : '';
    return `${where}${message}`;
  });
}
