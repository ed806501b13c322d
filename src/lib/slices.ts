// Long work cut into slices of time, so that one request's work never holds the event loop for long.
import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * How long a slice of work runs before the event loop is given back: other requests (a single get is well
 * under a millisecond) wait at most about this long behind an import, and the import pays one turn of the
 * loop a slice.
 */
export const SLICE_MS = 5;

/**
 * A clock for work done in slices: call it between two pieces of the work; it answers a promise to await
 * (the next turn of the event loop, after the I/O that waited) once `ms` have passed since the slice began,
 * else undefined (go on). Measured in time, not pieces: a piece's cost varies with the data and the machine.
 */
export function timeSlices(ms = SLICE_MS): () => Promise<void> | undefined {
  let sliceEnd = performance.now() + ms;
  return () => {
    if (performance.now() < sliceEnd) return undefined;
    return nextTurn().then(() => {
      sliceEnd = performance.now() + ms;
    });
  };
}
