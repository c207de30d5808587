// Plain-text tables: the first column left-aligned, the others right-aligned; null and undefined print as '-'.

function pad(s, n, right = false) {
  const t = s === null || s === undefined ? '-' : String(s);
  return right ? t.padStart(n) : t.padEnd(n);
}

export function table(rows, header) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] === null || r[i] === undefined ? 1 : String(r[i]).length))));
  const line = (cells) => cells.map((c, i) => pad(c, widths[i], i > 0)).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
