// What the benchmarks share: reading their options, and writing their results as Biome would format them.

/** A command-line option that must be a number of at least `min` (a whole one unless `fractional`); else exit 2. */
export function numberOption(name: string, text: string | undefined, { min = 1, fractional = false } = {}): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < min || (!fractional && !Number.isInteger(n))) {
    console.error(`--${name} must be a ${fractional ? '' : 'whole '}number of at least ${min}, not '${text}'.`);
    process.exit(2);
  }
  return n;
}

/** A table as the formatter writes it: columns padded, the first left-aligned, the others right-aligned. */
export function markdownTable(header: string[], body: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`;
  return [line(header), rule, ...body.map(line)];
}

/** JSON as the formatter writes it: arrays of numbers on one line. */
export const formatJson = (value: unknown) =>
  JSON.stringify(value, null, 2).replace(/\[\s+([-\d.,\s]+?)\s+\]/g, (_, numbers: string) => `[${numbers.split(/,\s*/).join(', ')}]`);
