// The configuration files' names, apart from the loader so the CLI can name them in its help without loading it.
export const DREDGE_JSON = '.dredge.json';
export const DOTENV = '.env';
