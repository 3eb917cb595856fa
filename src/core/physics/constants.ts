/** Physical and computational constants of the string-theory calculations (values as the reference uses them). */

/** Planck length in metres. */
export const PLANCK_LENGTH = 1.616e-35;
/** Planck's constant in the normalised units of the vibration model (h = 1). */
export const PLANCK_CONSTANT = 1.0;
/** Default number of spacetime dimensions (superstring theory). */
export const DEFAULT_DIMENSIONS = 10;
/** Default string length in Planck units. */
export const DEFAULT_STRING_LENGTH = 1.0;
/** Kaluza–Klein modes reported by a compactification (n = 1 … this). */
export const KALUZA_KLEIN_MODES = 10;
/** Dimensions that stay large after compactification (3 spatial + time). */
export const EFFECTIVE_DIMENSIONS = 4;
/** Modes averaged into the unified field (n = 1 … this). */
export const UNIFIED_FIELD_MODES = 3;
/** Default sampling of the unified field. */
export const DEFAULT_FIELD_POINTS = 100;
export const DEFAULT_FIELD_RANGE: readonly [number, number] = [0.0, 1.0];
/** Defaults of the string-parameter calculation. */
export const DEFAULT_ENERGY_SCALE = 1.0;
export const DEFAULT_COUPLING_CONSTANT = 0.1;
