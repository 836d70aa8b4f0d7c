// Global options reach subcommands whether given before or after the command name.
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';

export function configPath(cmd: Command): string | undefined {
  const own = cmd.opts<{ config?: string }>().config;
  if (own) return own;
  for (let c: Command | null = cmd.parent; c; c = c.parent) {
    const v = c.opts<{ config?: string }>().config;
    if (v) return v;
  }
  return undefined;
}

export function commandConfig(cmd: Command, overrides: Record<string, unknown> = {}): Config {
  return loadConfig(configPath(cmd), process.env, overrides);
}
