// How the benchmarks write their results: Markdown and JSON as the formatter (Biome) would write them.

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
