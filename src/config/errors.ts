/** A configuration value that cannot be used. Its message is one line that names the key, the value and what is allowed. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    message: string,
    readonly key?: string,
  ) {
    super(message);
  }
}
