/** A configuration problem, naming the key; the CLI exits with code 2 on it. */
export class ConfigError extends Error {
  constructor(readonly key: string, problem: string) {
    super(`config: ${key}: ${problem}`);
    this.name = 'ConfigError';
  }
}
