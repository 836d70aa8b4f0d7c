// The dashboard's live numbers: the prom-client counters of this process (ops/metrics.ts),
// sampled every few seconds; a rate is the change between the last two samples.
import type { Counter } from 'prom-client';
import type { Metrics } from '../../ops/metrics.js';
import { html, table, type Html } from './html.js';

export const SAMPLE_SECONDS = 5;

type Totals = Record<string, number>;
interface Sample { at: number; tokens: Totals; errors: Totals; throttled: Totals }

async function byLabel(c: Counter<string>, label: string): Promise<Totals> {
  const out: Totals = {};
  for (const v of (await c.get()).values) {
    const k = String(v.labels[label] ?? '');
    out[k] = (out[k] ?? 0) + v.value;
  }
  return out;
}

export class RateSampler {
  #prev: Sample | null = null;
  #last: Sample | null = null;
  readonly #timer: NodeJS.Timeout;

  constructor(private readonly metrics: Metrics) {
    this.#timer = setInterval(() => { void this.sample(); }, SAMPLE_SECONDS * 1000);
    this.#timer.unref();
  }

  async sample(): Promise<void> {
    const s: Sample = {
      at: Date.now(),
      tokens: await byLabel(this.metrics.tokensIssued, 'grant_type'),
      errors: await byLabel(this.metrics.errors, 'error'),
      throttled: await byLabel(this.metrics.throttled, 'reason'),
    };
    this.#prev = this.#last;
    this.#last = s;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Per kind: each label's total and its rate per second (null before two samples). */
  async view(): Promise<Record<'tokens' | 'errors' | 'throttled', { key: string; total: number; rate: number | null }[]>> {
    if (!this.#last) await this.sample();
    const last = this.#last!;
    const prev = this.#prev;
    const dt = prev ? (last.at - prev.at) / 1000 : 0;
    const rows = (k: 'tokens' | 'errors' | 'throttled') => Object.entries(last[k]).sort(([a], [b]) => a.localeCompare(b)).map(([key, total]) => ({
      key, total, rate: prev && dt > 0 ? Math.max(0, total - (prev[k][key] ?? 0)) / dt : null,
    }));
    return { tokens: rows('tokens'), errors: rows('errors'), throttled: rows('throttled') };
  }
}

export async function dashboardBody(sampler: RateSampler): Promise<Html> {
  const v = await sampler.view();
  const rate = (r: number | null) => (r === null ? '…' : r.toFixed(2));
  const section = (title: string, label: string, rows: typeof v.tokens, empty: string) => html`<section aria-labelledby="h-${label.replace(/ /g, '-')}"><h2 id="h-${label.replace(/ /g, '-')}">${title}</h2>
${table([label, 'per second', 'total since start'], rows.map((r) => [html`${r.key}`, html`<span class="num">${rate(r.rate)}</span>`, html`<span class="num">${r.total}</span>`]), empty)}</section>`;
  return html`<p class="hint">This instance's counters, sampled every ${SAMPLE_SECONDS} s; the page reloads itself. Every instance's are at <code>/metrics</code>.</p>
<div class="cards">
${section('Tokens issued', 'grant type', v.tokens, 'No token issued yet.')}
${section('OAuth errors', 'error', v.errors, 'No error answered yet.')}
${section('Throttled requests', 'reason', v.throttled, 'No request refused yet.')}
</div>`;
}
