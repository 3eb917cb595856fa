/**
 * Bounds on every numeric input of the compute core. The reference had none, so one request could occupy a
 * server; these are the structural limits of the core (what it can compute in reasonable memory), exported so
 * the API layer validates with the same numbers and can tighten them per tenant.
 */

/** Highest `max_modes` of a spectrum. */
export const MAX_MODES = 10_000;
/** Highest mode number accepted by `vibrationalMode` and in `string_modes`. */
export const MAX_MODE_NUMBER = 1_000_000;
/** Longest `string_modes` list of a coupled amplitude. */
export const MAX_STRING_MODES = 1_024;
/** Longest `quasimoto_coords` list of a coupled amplitude. */
export const MAX_COORDINATES = 10_000;
/** Spacetime `dimensions` of the physics functions (1 … this). */
export const MAX_SPACETIME_DIMENSIONS = 1_024;
/** Fewest and most sample points of a unified field. */
export const MIN_FIELD_POINTS = 2;
export const MAX_FIELD_POINTS = 10_000;

/** Most waves in an ensemble (`n_waves`). */
export const MAX_WAVES = 256;
/** Most rows in one batch given to a model (forward, loss, training). 2^20: a 16^5 6D grid. */
export const MAX_BATCH_SIZE = 1_048_576;
/** Input width of StringTheoryNN (`dimensions`). */
export const MAX_NETWORK_DIMENSIONS = 1_024;
/** Hidden width of StringTheoryNN (`hidden_size`). */
export const MAX_HIDDEN_SIZE = 1_024;
/** StringTheoryNN depth: requests outside this range are clamped into it, as the reference does. */
export const MIN_NUM_LAYERS = 1;
export const MAX_NUM_LAYERS = 10;
/** Interference basis: spatial `dim`, `num_fields` and `out_features`. */
export const MAX_BASIS_DIM = 16;
export const MAX_BASIS_FIELDS = 256;
export const MAX_BASIS_OUT_FEATURES = 256;

/** Most training epochs of one fit. */
export const MAX_EPOCHS = 100_000;
/** Learning rate: 0 < lr ≤ this. */
export const MAX_LEARNING_RATE = 10;
/** Gradient-norm clipping threshold: 0 < max norm ≤ this. */
export const MAX_GRAD_CLIP_NORM = 1e6;

/** Data generators: chirp points, 4D grid side (side³ points) and 6D grid side (side⁵ points). */
export const MIN_CHIRP_POINTS = 2;
export const MAX_CHIRP_POINTS = MAX_BATCH_SIZE;
export const MIN_GRID_SIZE = 2;
export const MAX_GRID_SIZE_4D = 100;
export const MAX_GRID_SIZE_6D = 16;

/** Every bound above in one frozen object, for documentation and schema generation. */
export const COMPUTE_LIMITS = Object.freeze({
  MAX_MODES,
  MAX_MODE_NUMBER,
  MAX_STRING_MODES,
  MAX_COORDINATES,
  MAX_SPACETIME_DIMENSIONS,
  MIN_FIELD_POINTS,
  MAX_FIELD_POINTS,
  MAX_WAVES,
  MAX_BATCH_SIZE,
  MAX_NETWORK_DIMENSIONS,
  MAX_HIDDEN_SIZE,
  MIN_NUM_LAYERS,
  MAX_NUM_LAYERS,
  MAX_BASIS_DIM,
  MAX_BASIS_FIELDS,
  MAX_BASIS_OUT_FEATURES,
  MAX_EPOCHS,
  MAX_LEARNING_RATE,
  MAX_GRAD_CLIP_NORM,
  MIN_CHIRP_POINTS,
  MAX_CHIRP_POINTS,
  MIN_GRID_SIZE,
  MAX_GRID_SIZE_4D,
  MAX_GRID_SIZE_6D,
});
