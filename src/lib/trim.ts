// Text is stored as given, less whitespace at the ends: trim every string of a JSON body before validation.

export function trimStrings(value: unknown): unknown {
  if (typeof value === 'string') return value.trim();
  if (Array.isArray(value)) return value.map(trimStrings);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[key] = trimStrings(v);
    return out;
  }
  return value;
}
