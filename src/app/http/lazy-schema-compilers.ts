import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>;
type ValidatorFactory = NonNullable<CompilersFactory['buildValidator']>;
type SerializerFactory = NonNullable<CompilersFactory['buildSerializer']>;

// Resolved from Fastify's own folder: these are its dependencies, not ours.
const requireFromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));

let validators: ValidatorFactory | undefined;
let serializers: SerializerFactory | undefined;

/**
 * Fastify's default JSON Schema compilers (ajv for validation, fast-json-stringify for serialization), required
 * only when a route first declares a schema, then kept (with their pools) as Fastify keeps them. Fastify would
 * otherwise load both, ajv included, when a server is created; our routes validate with zod, so most servers never
 * need them and start without them. (Passing a factory makes Fastify treat the compilers as custom, which only
 * stops it lowercasing `headers` schemas' keys: no route declares one.)
 */
export const lazySchemaCompilers: CompilersFactory = {
  buildValidator: ((...args: Parameters<ValidatorFactory>) =>
    (validators ??= (requireFromFastify('@fastify/ajv-compiler') as () => ValidatorFactory)())(
      ...args,
    )) as ValidatorFactory,
  buildSerializer: ((...args: Parameters<SerializerFactory>) =>
    (serializers ??= (
      requireFromFastify('@fastify/fast-json-stringify-compiler') as () => SerializerFactory
    )())(...args)) as SerializerFactory,
};
