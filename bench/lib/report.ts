// The results table (Markdown), the targets of issue 4 checked against it, and a hand-written
// SVG bar chart of requests/s per scenario.

export interface Row {
  id: string;
  scenario: string;
  /** Short label for the chart. */
  short: string;
  server: string;
  generator: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  ratio: string;
  sampleError?: string;
}

export interface Target {
  what: string;
  goal: string;
  measured: string;
  reached: boolean | null;
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));

export function markdownTable(rows: Row[]): string {
  const head = '| scenario | server | generator, connections | requests/s | p50 ms | p99 ms | errors | ratio Tessera/peer |\n|---|---|---|---:|---:|---:|---:|---|';
  const lines = rows.map((r) =>
    `| ${r.scenario} | ${r.server} | ${r.generator} | ${fmt(r.rps)} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.ratio} |`);
  return [head, ...lines].join('\n');
}

export function targetsTable(targets: Target[]): string {
  const head = '| target | goal | measured | reached |\n|---|---|---|---|';
  return [head, ...targets.map((t) => `| ${t.what} | ${t.goal} | ${t.measured} | ${t.reached === null ? 'not measured' : t.reached ? 'yes' : '**no**'} |`)].join('\n');
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const COLORS: Record<string, string> = { tessera: '#2563eb', 'oidc-provider': '#ea580c', 'bare-fastify': '#6b7280' };

export function svgChart(rows: Row[], subtitle: string[]): string {
  const labelW = 300;
  const barW = 520;
  const valueW = 90;
  const rowH = 24;
  const top = 40 + 16 * subtitle.length;
  const width = labelW + barW + valueW + 20;
  const height = top + rows.length * rowH + 40;
  const max = Math.max(1, ...rows.map((r) => r.rps));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="22" font-size="16" font-weight="600">Requests/s per scenario (successful responses only)</text>`,
    ...subtitle.map((line, i) => `<text x="10" y="${40 + 16 * i}" fill="#4b5563">${esc(line)}</text>`),
  ];
  // grid lines at quarters of the maximum
  for (let i = 0; i <= 4; i++) {
    const x = labelW + (barW * i) / 4;
    parts.push(`<line x1="${x}" y1="${top - 4}" x2="${x}" y2="${top + rows.length * rowH}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${x}" y="${top + rows.length * rowH + 14}" text-anchor="middle" fill="#6b7280">${Math.round((max * i) / 4).toLocaleString('en-US')}</text>`);
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const w = Math.max(1, (barW * r.rps) / max);
    const color = COLORS[r.server] ?? '#059669';
    parts.push(`<text x="${labelW - 8}" y="${y + 16}" text-anchor="end">${esc(`${r.short} — ${r.server}`)}</text>`);
    parts.push(`<rect x="${labelW}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowH - 8}" fill="${color}"><title>${esc(`${r.scenario} — ${r.server}: ${Math.round(r.rps)} req/s, p99 ${r.p99} ms`)}</title></rect>`);
    parts.push(`<text x="${labelW + w + 6}" y="${y + 16}" fill="#111827">${fmt(r.rps)}${r.errors ? ` (${r.errors} err)` : ''}</text>`);
  });
  const legendY = height - 12;
  let lx = 10;
  for (const [name, color] of Object.entries(COLORS)) {
    parts.push(`<rect x="${lx}" y="${legendY - 10}" width="12" height="12" fill="${color}"/><text x="${lx + 16}" y="${legendY}">${name}</text>`);
    lx += 130;
  }
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
