// Medians and the result table.

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export interface Row {
  scenario: string;
  node: number;
  moonbridge: number;
}

function formatRate(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '-';
}

export function formatRatio(moonbridge: number, node: number): string {
  return node > 0 && Number.isFinite(moonbridge) ? (moonbridge / node).toFixed(2) : '-';
}

/** A plain-text table (also valid Markdown). */
export function formatTable(rows: Row[]): string {
  const header = ['scenario', 'node http req/s', 'moonbridge-lua req/s', 'ratio (mb/node)'];
  const cells = rows.map((r) => [r.scenario, formatRate(r.node), formatRate(r.moonbridge), formatRatio(r.moonbridge, r.node)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]): string =>
    '| ' + c.map((text, i) => (i === 0 ? text.padEnd(widths[i]) : text.padStart(widths[i]))).join(' | ') + ' |';
  const rule = '|' + widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|') + '|';
  return [line(header), rule, ...cells.map(line)].join('\n');
}
