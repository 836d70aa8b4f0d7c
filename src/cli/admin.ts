// Admin commands (client, user, participant, registration, keys, audit, migrate), acting on the configured
// database, and the client commands (token, introspect, revoke) that call a running server. Each lives in commands/*; output.ts has what they share.
import type { Command, CommanderError } from 'commander';
import { auditCommand } from './commands/audit.js';
import { clientCommand } from './commands/client.js';
import { completionCommand } from './commands/completion.js';
import { introspectCommands } from './commands/introspect.js';
import { keysCommand } from './commands/keys.js';
import { migrateCommand } from './commands/migrate.js';
import { participantCommand } from './commands/participant.js';
import { registrationCommand } from './commands/registration.js';
import { tokenCommand } from './commands/token.js';
import { userCommand } from './commands/user.js';

/** Usage errors exit 2 (commander would use 1), so scripts can tell them from "not found". */
function usageErrorsExit2(cmd: Command): void {
  cmd.exitOverride((e: CommanderError) => {
    // Help and version requests exit 0; commander has already printed the message.
    process.exit(e.exitCode === 0 ? 0 : 2);
  });
  for (const sub of cmd.commands) usageErrorsExit2(sub);
}

export function registerAdminCommands(program: Command): void {
  clientCommand(program);
  userCommand(program);
  participantCommand(program);
  registrationCommand(program);
  keysCommand(program);
  auditCommand(program);
  migrateCommand(program);
  tokenCommand(program);
  introspectCommands(program);
  completionCommand(program);
  // Covers commands registered before this call (serve) as well.
  usageErrorsExit2(program);
}
