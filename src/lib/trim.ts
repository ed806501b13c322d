// Text hygiene for JSON bodies, before validation: refuse what cannot be stored faithfully, trim the ends.
import { AppError, type FieldError } from './errors.js';

/** Deeper than any record or bundle needs; refusing early keeps recursion far from the stack limit. */
export const MAX_BODY_DEPTH = 32;

// C0 controls but tab, newline and carriage return; DEL; the C1 controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

const pointer = (path: readonly (string | number)[]) =>
  path.map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');

/**
 * Trims every string of a freshly parsed JSON body at its ends, in place, and returns the body. Text with
 * a lone surrogate (not valid Unicode) or a control character, and nesting deeper than MAX_BODY_DEPTH, are
 * a 400 naming each place. In place because a bundle holds tens of thousands of strings: copying every
 * object (and a path for every value) cost as much as validating it. Only parsed bodies come here, so
 * nobody else holds the objects.
 */
export function cleanBody(value: unknown, at: readonly (string | number)[] = []): unknown {
  const errors: FieldError[] = [];
  // The path of the value being walked, kept as one stack: a pointer is only written for an error. `at`: where
  // `value` is in the body, when a body is cleaned a part at a time (its pointers and depth are the body's).
  const path: (string | number)[] = [...at];
  const fail = (message: string) => errors.push({ in: 'body', path: pointer(path), message });
  const clean = (text: string): string => {
    if (!text.isWellFormed()) fail('contains a lone surrogate: not valid Unicode text');
    else if (CONTROL.test(text)) fail('contains a control character (only tab and newlines are allowed)');
    return text.trim();
  };
  const walk = (v: object): void => {
    if (path.length >= MAX_BODY_DEPTH) {
      fail(`nests deeper than ${MAX_BODY_DEPTH} levels`);
      return;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const item: unknown = v[i];
        if (item === null) continue;
        path.push(i);
        if (typeof item === 'string') {
          const trimmed = clean(item);
          if (trimmed !== item) v[i] = trimmed;
        } else if (typeof item === 'object') walk(item);
        path.pop();
      }
      return;
    }
    const record = v as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (item === null) continue;
      path.push(key);
      if (typeof item === 'string') {
        const trimmed = clean(item);
        if (trimmed !== item) record[key] = trimmed;
      } else if (typeof item === 'object') walk(item);
      path.pop();
    }
  };
  let cleaned = value;
  if (typeof value === 'string') cleaned = clean(value);
  else if (value !== null && typeof value === 'object') walk(value);
  if (errors.length > 0) throw uncleanBody(errors);
  return cleaned;
}

/** The 400 cleanBody throws, naming each place: also for the errors of a body cleaned a part at a time. */
export function uncleanBody(errors: FieldError[]): AppError {
  const shown = errors.slice(0, 5).map((e) => `${e.path || '(root)'} ${e.message}`);
  return new AppError('VALIDATION_FAILED', `${shown.join('; ')}.`, { errors });
}
