// How a quote is compared with its source's text: the extraction's spans and a quote's `verified` use the same form.

const QUOTE_MARKS = /[\u2018\u2019\u201A\u201B\u2032]/g;
const DOUBLE_MARKS = /[\u201C\u201D\u201E\u201F\u00AB\u00BB\u2033]/g;

/** Whitespace and quotation-mark style do not count: the form in which a quote is checked against its source. */
export function normalizeForMatch(s: string): string {
  return s
    .normalize('NFC')
    .replace(QUOTE_MARKS, "'")
    .replace(DOUBLE_MARKS, '"')
    .replace(/[\s\u00A0\u2007\u202F]+/g, ' ')
    .trim();
}

/**
 * A quote's `verified`: whether its words stand in the text of a source it cites (`texts`: the cited sources'
 * texts by id, each in normalizeForMatch's form), null when none of its sources keeps a text. Both engines'
 * reads give it, from the texts they read for a page.
 */
export function quoteVerified(text: string, sourceIds: readonly string[], texts: ReadonlyMap<string, string>): boolean | null {
  const withText = sourceIds.map((id) => texts.get(id)).filter((t) => t !== undefined);
  if (withText.length === 0) return null;
  const words = normalizeForMatch(text);
  return withText.some((t) => t.includes(words));
}
