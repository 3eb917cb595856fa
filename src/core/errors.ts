/**
 * The one error the compute core throws for bad input. It is a RangeError (the value is outside what the
 * function accepts) and carries the name of the offending field as the wire contract spells it (`max_modes`,
 * `n_waves`, …), so a door can map it to `invalid_input` and repeat the sentence to the client unchanged.
 */
export class ComputeInputError extends RangeError {
  readonly code = 'invalid_input';

  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ComputeInputError';
  }
}

/** A model was used in a way its current state does not allow (e.g. BatchNorm training on one row). */
export class ComputeStateError extends Error {
  readonly code = 'invalid_state';

  constructor(message: string) {
    super(message);
    this.name = 'ComputeStateError';
  }
}
