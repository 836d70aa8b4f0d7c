#!/usr/bin/env node
// `tessera [--config FILE] <command>`: serve (the default) and the admin commands, all
// acting on the configured database.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { ConfigError } from '../config/error.js';
import { SecretKeyMismatch } from '../core/keys.js';
import { registerAdminCommands } from './admin.js';
import { listenProblem, UsageError } from './errors.js';
import { CliError } from './output.js';
import { serveCommand } from './serve.js';

/** package.json's version: the one `npm install` put beside this file's tree. */
export const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export function buildProgram(): Command {
  const program = new Command('tessera')
    .description(`Tessera ${VERSION}: a self-hosted OAuth 2.0 token service`)
    .version(VERSION, '-V, --version', 'print the version')
    .option('-c, --config <file>', 'configuration file (YAML or JSON); default ./tessera.yaml if present')
    .showHelpAfterError()
    .enablePositionalOptions(false);
  serveCommand(program);
  registerAdminCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  // `serve` is the default command.
  const args = argv.slice(2);
  const commands = new Set(program.commands.flatMap((c) => [c.name(), ...c.aliases()]));
  const first = args.find((a, i) => !a.startsWith('-') && args[i - 1] !== '--config' && args[i - 1] !== '-c');
  // Only when no command is named: a misspelt command must be reported, not served.
  if (!first && !args.includes('-h') && !args.includes('--help') && !args.includes('-V') && !args.includes('--version')) {
    argv = [...argv.slice(0, 2), 'serve', ...args];
  } else if (first && !commands.has(first)) {
    process.stderr.write(`tessera: unknown command '${first}' (commands: ${[...commands].join(', ')})\n`);
    process.exit(2);
  }
  try {
    await program.parseAsync(argv);
  } catch (e) {
    // Problems the operator fixes in the configuration: one line, no stack trace.
    if (e instanceof ConfigError || e instanceof SecretKeyMismatch || e instanceof UsageError) {
      process.stderr.write(`tessera: ${e.message}\n`);
      process.exit(2);
    }
    // One thrown before a command's database or server was reached.
    if (e instanceof CliError) {
      process.stderr.write(`tessera: ${e.message}\n`);
      process.exit(e.exitCode);
    }
    const listen = listenProblem(e);
    if (listen) {
      process.stderr.write(`tessera: ${listen}\n`);
      process.exit(2);
    }
    throw e;
  }
}

await main(process.argv);
