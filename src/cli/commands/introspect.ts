// `tessera introspect TOKEN` (RFC 7662) and `tessera revoke TOKEN` (RFC 7009) against a
// running server, authenticated as a client like `tessera token`. `-` reads the token from stdin.
import { Option, type Command } from 'commander';
import { printJson, reported } from '../output.js';
import { clientCredentialOptions, clientCredentials, postAsClient, serverUrl, tokenArgument, type ClientCredentialOpts } from '../remote/oauth.js';

interface Opts extends ClientCredentialOpts { tokenTypeHint?: string }

const hint = () => new Option('--token-type-hint <hint>', 'token_type_hint').choices(['access_token', 'refresh_token']);

export function introspectCommands(program: Command): void {
  clientCredentialOptions(program.command('introspect <token>')
    .description('ask a running server whether a token is active (RFC 7662) and print its answer; TOKEN - reads stdin'))
    .addOption(hint())
    .addHelpText('after', `
Exit codes: 0 the token is active; 3 it is not (expired, revoked, unknown, or not this
client's to see); 1 the server refused the request or could not be reached; 2 a usage mistake.`)
    .action((token: string, o: Opts, cmd: Command) => reported(async () => {
      const base = serverUrl(o, cmd);
      const client = await clientCredentials(o);
      const { body } = await postAsClient(base, '/oauth2/introspect', client, { token: await tokenArgument(token), token_type_hint: o.tokenTypeHint });
      printJson(body);
      // RFC 7662 §2.2: `active` is the one required member.
      if (body.active !== true) process.exitCode = 3;
    }));

  clientCredentialOptions(program.command('revoke <token>')
    .description('revoke a token at a running server (RFC 7009); TOKEN - reads stdin'))
    .addOption(hint())
    .addHelpText('after', `
Exit codes: 0 revoked, or already invalid (RFC 7009 §2.2 answers both alike); 1 the server
refused the request (e.g. the token is another client's) or could not be reached; 2 a usage mistake.`)
    .action((token: string, o: Opts, cmd: Command) => reported(async () => {
      const base = serverUrl(o, cmd);
      const client = await clientCredentials(o);
      await postAsClient(base, '/oauth2/revoke', client, { token: await tokenArgument(token), token_type_hint: o.tokenTypeHint });
      process.stdout.write('revoked\n');
    }));
}
