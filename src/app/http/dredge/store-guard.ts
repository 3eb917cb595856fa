import { unavailableOnFailure } from '../../../services/errors.js';

/**
 * Runs a store call for a request. The insight store answers in Redis' own errors when Redis is away; those
 * become a 503 with a sentence (the request may be retried), never a 500 with Redis' text.
 */
export function fromStore<T>(work: () => Promise<T>): Promise<T> {
  return unavailableOnFailure('The insight store is unavailable; try again shortly.', work);
}
