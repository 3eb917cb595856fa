import { DredgeError } from '../../../services/errors.js';

/**
 * Runs a store call for a request. The insight store answers in Redis' own errors when Redis is away; those
 * become a 503 with a sentence (the request may be retried), never a 500 with Redis' text.
 */
export async function fromStore<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DredgeError) throw error;
    throw new DredgeError('unavailable', 'The insight store is unavailable; try again shortly.');
  }
}
