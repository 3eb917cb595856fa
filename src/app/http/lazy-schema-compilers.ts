import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>;
type ValidatorFactory = NonNullable<CompilersFactory['buildValidator']>;
type SerializerFactory = NonNullable<CompilersFactory['buildSerializer']>;

// Resolved from Fastify's own folder: these are its dependencies, not ours.
const requireFromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));

/**
 * Fastify's default JSON Schema compilers (ajv for validation, fast-json-stringify for serialization), required
 * only when a route first declares a schema. Fastify would otherwise load both, ajv included, when a server is
 * created; our routes validate with zod, so most servers never need them and start without them.
 */
export const lazySchemaCompilers: CompilersFactory = {
  buildValidator: ((...args: Parameters<ValidatorFactory>) =>
    (requireFromFastify('@fastify/ajv-compiler') as () => ValidatorFactory)()(...args)) as ValidatorFactory,
  buildSerializer: ((...args: Parameters<SerializerFactory>) =>
    (requireFromFastify('@fastify/fast-json-stringify-compiler') as () => SerializerFactory)()(
      ...args,
    )) as SerializerFactory,
};
