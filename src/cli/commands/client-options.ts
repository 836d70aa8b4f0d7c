// The client commands' options, from the metadata table (core/client-metadata.ts), and the
// checks the CLI adds to validateClient's: a typed secret's policy, grant sets that cannot work.
import type { Command } from 'commander';
import { CLIENT_METADATA, METADATA_FIELDS, type FieldSpec } from '../../core/client-metadata.js';
import { grantSetProblems, secretProblem, type CredentialPolicy } from '../../core/credential-policy.js';
import { CliError } from '../output.js';

/** Config key → the option that sets it, for error messages. */
export const FLAGS: Record<string, string> = {
  client_id: '--id', client_secret: '--secret',
  ...Object.fromEntries(METADATA_FIELDS.map((k) => [k, CLIENT_METADATA[k].flag])),
};

/** commander's attribute name for an option: --redirect-uri → redirectUri. */
const attr = (flag: string) => flag.replace(/^--/, '').replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase());
const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

/**
 * One option per metadata field, from the table: `--flag <value>`, a switch and its
 * `--no-` form for a boolean, a repeatable option for a list of redirect URIs.
 */
export function metadataOptions(cmd: Command): Command {
  for (const k of METADATA_FIELDS) {
    const { flag, help, kind } = CLIENT_METADATA[k] as FieldSpec;
    if (kind.type === 'bool') cmd.option(flag, help).option(`--no-${flag.slice(2)}`, `unset ${flag}`);
    else if (kind.type === 'redirect_uris') cmd.option(`${flag} <uri>`, help, collect);
    else cmd.option(`${flag} <value>`, help);
  }
  return cmd;
}

/** The metadata given as options, keyed by config name (absent options left out). */
export function metadataFromOptions(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(METADATA_FIELDS.map((k) => [k, o[attr(CLIENT_METADATA[k].flag)]]).filter(([, v]) => v !== undefined));
}

/** A secret the operator typed must meet the policy; a generated one always does. */
export function checkGivenSecret(secret: string | undefined, policy: CredentialPolicy): void {
  if (secret === undefined) return;
  if (secret === '') throw new CliError('--secret: must not be empty', 2);
  const problem = secretProblem(secret, policy);
  if (problem) throw new CliError(`--secret: the secret ${problem}`, 2);
}

/** Grant sets that cannot work are allowed, and said: one warning line each on stderr. */
export function warnGrantSet(cfg: { grant_types: readonly string[]; redirect_uris?: readonly string[] | undefined; scope?: string | undefined; client_id: string }): void {
  for (const p of grantSetProblems(cfg)) process.stderr.write(`tessera: warning: client ${cfg.client_id}: ${p}\n`);
}

/** The fields the options gave, as validateClient typed them (numbers, lists): the admin API's body. */
export function typedFields(cfg: object, given: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(given).map((k) => [k, (cfg as Record<string, unknown>)[k]]).filter(([, v]) => v !== undefined));
}
