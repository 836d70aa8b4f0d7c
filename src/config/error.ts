/** A configuration problem, naming the key; the CLI exits with code 2 on it. */
export class ConfigError extends Error {
  constructor(readonly key: string, readonly problem: string) {
    super(`config: ${key}: ${problem}`);
    this.name = 'ConfigError';
  }
}

/** Several problems found in one pass: the operator fixes them all before the next start. */
export class ConfigErrors extends ConfigError {
  constructor(readonly problems: readonly ConfigError[]) {
    super('*', `${problems.length} problems`);
    this.message = `config has ${problems.length} problems:\n${problems.map((p) => `  ${p.key}: ${p.problem}`).join('\n')}`;
    this.name = 'ConfigErrors';
  }
}

/**
 * Collects problems instead of stopping at the first: each step runs in `check`, which
 * records a ConfigError and gives the fallback so validation goes on.
 */
export class Problems {
  readonly list: ConfigError[] = [];

  check<T>(step: () => T, fallback: T): T {
    try {
      return step();
    } catch (e) {
      if (e instanceof ConfigErrors) this.list.push(...e.problems);
      else if (e instanceof ConfigError) this.list.push(e);
      else throw e;
      return fallback;
    }
  }

  /** Nothing, one ConfigError as it was, or all of them as one ConfigErrors. */
  throwIfAny(): void {
    if (this.list.length === 1) throw this.list[0];
    if (this.list.length > 1) throw new ConfigErrors(this.list);
  }
}

/** Edit distance, for "did you mean": small keys, so the plain table is fine. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The known key a misspelt one most likely meant, if one is close enough. */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const norm = (k: string) => k.toLowerCase().replace(/[-\s]/g, '_');
  const exact = known.find((k) => norm(k) === norm(key));
  if (exact) return exact;
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(norm(key), norm(k));
    if (d < bestD) { best = k; bestD = d; }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(key.length / 4)) ? best : undefined;
}
