// The change feed's positions: opaque to clients, a revision's seq underneath.
import { AppError } from '../../lib/errors.js';

/** Feed positions are opaque to clients: `c` + the sequence number, base64url. */
export const encodePosition = (seq: number) => Buffer.from(`c${seq}`).toString('base64url');

export function decodePosition(cursor: string | undefined, parameter: string): number {
  if (cursor === undefined) return 0;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const seq = /^c(\d{1,15})$/.exec(text)?.[1];
  if (seq === undefined) {
    throw new AppError('INVALID_CURSOR', `${parameter} is not a position this API issued.`, {
      errors: [{ in: 'query', path: `/${parameter}`, message: 'is not a position this API issued' }],
    });
  }
  return Number(seq);
}
