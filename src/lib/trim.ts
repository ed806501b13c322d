// Text hygiene for JSON bodies, before validation: refuse what cannot be stored faithfully, trim the ends.
import { AppError, type FieldError } from './errors.js';

/** Deeper than any record or bundle needs; refusing early keeps recursion far from the stack limit. */
export const MAX_BODY_DEPTH = 32;

// C0 controls but tab, newline and carriage return; DEL; the C1 controls.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

const pointer = (path: (string | number)[]) => path.map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');

/**
 * Returns the body with every string trimmed at its ends. Text with a lone surrogate (not valid Unicode)
 * or a control character, and nesting deeper than MAX_BODY_DEPTH, are a 400 naming each place.
 */
export function cleanBody(value: unknown): unknown {
  const errors: FieldError[] = [];
  const walk = (v: unknown, path: (string | number)[]): unknown => {
    if (typeof v === 'string') {
      if (!v.isWellFormed()) errors.push({ in: 'body', path: pointer(path), message: 'contains a lone surrogate: not valid Unicode text' });
      else if (CONTROL.test(v))
        errors.push({ in: 'body', path: pointer(path), message: 'contains a control character (only tab and newlines are allowed)' });
      return v.trim();
    }
    if (v === null || typeof v !== 'object') return v;
    if (path.length >= MAX_BODY_DEPTH) {
      errors.push({ in: 'body', path: pointer(path), message: `nests deeper than ${MAX_BODY_DEPTH} levels` });
      return v;
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, [...path, i]));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(v)) out[key] = walk(item, [...path, key]);
    return out;
  };
  const cleaned = walk(value, []);
  if (errors.length > 0) {
    const shown = errors.slice(0, 5).map((e) => `${e.path || '(root)'} ${e.message}`);
    throw new AppError('VALIDATION_FAILED', `${shown.join('; ')}.`, { errors });
  }
  return cleaned;
}
