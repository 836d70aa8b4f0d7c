// Admin commands (client, user, participant, keys, migrate).
import type { Command } from 'commander';

export function registerAdminCommands(_program: Command): void {}
