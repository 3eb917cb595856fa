import { ComputeInputError } from '../errors.js';

/** Why a bundle was refused, for callers that act on it (the sentence says the same to people). */
export type BundleRefusalReason =
  'not_a_bundle' | 'truncated' | 'tampered' | 'future_format' | 'malformed' | 'too_large';

/**
 * A bundle this build cannot load, with a sentence that says which way it fails: not a bundle at all, cut short,
 * altered after it was written (its checksum), written by a newer DREDGE, or well-formed but describing no valid
 * model. A ComputeInputError on `bundle`, so every door answers it as 400 with the sentence.
 */
export class BundleRefusal extends ComputeInputError {
  constructor(
    readonly reason: BundleRefusalReason,
    /** The sentence without its subject (`is truncated: …`), to make the same refusal again elsewhere. */
    readonly detail: string,
  ) {
    super('bundle', `bundle ${detail}`);
  }
}
