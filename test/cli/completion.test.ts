// `tessera completion bash|zsh`: the bash script, run by bash with COMP_WORDS/COMP_CWORD set
// as bash's completion sets them, completes commands, subcommands, options and choices.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it, before } from 'node:test';
import { ok, tessera } from '../helpers/cli.js';

/** The words bash would offer for `line` (a trailing space: completing a new word). */
function complete(script: string, line: string): string[] {
  const words = line.split(' ');
  const out = execFileSync('bash', ['-c', `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _tessera; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean);
}

describe('cli completion', () => {
  let bash: string;
  before(async () => { bash = await ok(['completion', 'bash']); });

  it('bash: tessera cl<TAB> and tessera client <TAB>', () => {
    assert.deepEqual(complete(bash, 'tessera cl'), ['client']);
    assert.deepEqual(complete(bash, 'tessera client '), ['create', 'update', 'list', 'show', 'unlock', 'delete', 'disable', 'enable', 'rotate-secret', '--help']);
  });

  it('bash: options of a subcommand, past global options and their values; choices of an option', () => {
    assert.deepEqual(complete(bash, 'tessera -c my.yaml client create --sc'), ['--scope']);
    assert.ok(complete(bash, 'tessera user list --').includes('--server'));
    assert.deepEqual(complete(bash, 'tessera token --grant '), ['client_credentials', 'password', 'refresh_token']);
    assert.deepEqual(complete(bash, 'tessera registration token '), ['create', 'list', 'revoke', '--help']);
  });

  it('zsh: a #compdef script from the same table; an unknown shell is a usage error', async () => {
    const zsh = await ok(['completion', 'zsh']);
    assert.match(zsh, /^#compdef tessera\n/);
    assert.match(zsh, /'client '\) list="create update list show/);
    const r = await tessera(['completion', 'fish']);
    assert.equal(r.code, 2);
  });
});
