// `tessera participant create|list`: the organisations users can belong to (HCX-style
// participant codes). Input goes through validateParticipant, as in the config file.
import type { Command } from 'commander';
import { validateParticipant } from '../../config/validate.js';
import type { Participant } from '../../core/types.js';
import { participantFromConfig } from '../../entities.js';
import { serverOptions, withBackend } from '../backend.js';
import { CliError, compact, printJson, printTable, validated } from '../output.js';

const FLAGS: Record<string, string> = { participant_code: '--code', name: '--name', roles: '--roles' };

export function participantJson(p: Participant) {
  return compact({ participant_code: p.participant_code, name: p.name, roles: p.roles });
}

export function participantCommand(program: Command): void {
  const group = program.command('participant')
    .description('manage participants: the organisations of the HCX dialect (docs/dialects.md); a user with a participant_code gets its roles in HCX tokens')
    .addHelpText('after', `
A participant is an organisation in a Health Claims Exchange (HCX) network, named by its
participant code (e.g. "1-ce23ccdc-e645-4e35-97b8-0bd8fef43ecd" or "hosp@swasth-hcx"). Users of the
HCX dialect belong to one (user create --participant-code CODE); HCX tokens carry the
participant's code and roles. Other dialects and the standard endpoints do not use participants.`);

  group.command('create')
    .description('create a participant')
    .option('-c, --config <file>', 'configuration file')
    .option('--init', 'create the database first if it does not exist (as `tessera migrate`)')
    .option('--code <participant_code>', 'participant_code (required)')
    .option('--name <name>', 'name')
    .option('--roles <list>', 'roles, comma or space separated')
    .option('--json', 'print JSON')
    .action((o: { code?: string; name?: string; roles?: string; json?: boolean }, cmd: Command) => {
      const print = (p: Participant) => {
        if (o.json) printJson(participantJson(p));
        else process.stdout.write(`created participant ${p.participant_code}\n`);
      };
      const input = () => validated(FLAGS, () => validateParticipant({ participant_code: o.code, name: o.name, roles: o.roles }, ''));
      return withBackend(cmd, {
        database: async ({ store }) => {
          const cfg = input();
          if (await store.participants.get(cfg.participant_code)) throw new CliError(`participant ${JSON.stringify(cfg.participant_code)} already exists`);
          const p = participantFromConfig(cfg, null);
          await store.participants.upsert(p);
          print(p);
        },
        server: async (api) => print(await api.call<Participant>('POST', '/admin/participants', compact(input()))),
      });
    });

  group.command('list')
    .description('list participants')
    .option('-c, --config <file>', 'configuration file')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }, cmd: Command) => {
      const print = (ps: Participant[]) => {
        if (o.json) return printJson(ps.map(participantJson));
        printTable({ participant_code: 'CODE', name: 'NAME', roles: 'ROLES' }, ps.map((p) => ({ ...p })), 'no participants');
      };
      return withBackend(cmd, {
        database: async ({ store }) => print(await store.participants.list()),
        server: async (api) => print(await api.all<Participant>('/admin/participants')),
      });
    });
  serverOptions(group);
}
