import { ConfigError } from '../../../config/errors.js';

/** OpenTelemetry's bound on a resource attribute's key and value (the SDK's environment detector applies it too). */
const MAX_ATTRIBUTE_LENGTH = 255;

export interface ResourceSettings {
  /** The name the command gives the process (`dredge-mcp`, `dredge-worker` …). */
  readonly defaultServiceName: string;
  readonly serviceVersion: string;
  /** OTEL_SERVICE_NAME. */
  readonly serviceName: string | undefined;
  /** OTEL_RESOURCE_ATTRIBUTES as written: `key=value,key2=value2`, percent-encoded. */
  readonly resourceAttributes: string | undefined;
}

/**
 * The attributes of the spans' resource, in OpenTelemetry's order of precedence: the command's name and the
 * version, then OTEL_RESOURCE_ATTRIBUTES, then OTEL_SERVICE_NAME (which wins over a `service.name` among the
 * attributes).
 */
export function resourceAttributes(settings: ResourceSettings): Record<string, string> {
  return {
    // The standard attribute names, written out: importing them from @opentelemetry/semantic-conventions would
    // load a second (ES module) copy of that large package beside the CommonJS one the SDK loads.
    'service.name': settings.defaultServiceName,
    'service.version': settings.serviceVersion,
    ...parseResourceAttributes(settings.resourceAttributes),
    ...(settings.serviceName === undefined ? {} : { 'service.name': settings.serviceName }),
  };
}

/**
 * OTEL_RESOURCE_ATTRIBUTES as attributes: comma-separated `key=value` pairs, each key and value trimmed and
 * percent-decoded. By hand rather than with @opentelemetry/resources' `envDetector`, which parses the same form:
 * that detector reads `process.env` itself, so it would miss the value of a `.env` file or `.dredge.json`, and it
 * drops a malformed value silently (a debug line), where a wrong key here stops start-up with one line naming it.
 * Its form is checked with the rest of the configuration already; what is left to fail here is a percent-escape
 * that is not UTF-8, or a key or value over 255 characters.
 */
export function parseResourceAttributes(text: string | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (text === undefined || text.trim() === '') return attributes;
  for (const pair of text.split(',')) {
    const [rawKey = '', rawValue, ...more] = pair.split('=');
    if (rawValue === undefined || more.length > 0 || rawKey.trim() === '')
      throw refusal(
        pair,
        'which is not one key=value pair (a "," or "=" inside one must be percent-encoded)',
      );
    const key = decoded(rawKey.trim(), pair);
    const value = decoded(rawValue.trim(), pair);
    if (key.length > MAX_ATTRIBUTE_LENGTH || value.length > MAX_ATTRIBUTE_LENGTH)
      throw refusal(pair, `whose key or value is over ${MAX_ATTRIBUTE_LENGTH} characters`);
    attributes[key] = value;
  }
  return attributes;
}

function decoded(part: string, pair: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw refusal(pair, 'whose percent-escapes are not UTF-8 text');
  }
}

function refusal(pair: string, problem: string): ConfigError {
  return new ConfigError(
    `OTEL_RESOURCE_ATTRIBUTES has ${JSON.stringify(pair.slice(0, 300))}, ${problem}.`,
    'OTEL_RESOURCE_ATTRIBUTES',
  );
}
