// `tessera token`: a token from a running server's token endpoint (RFC 6749 §4.3, §4.4, §6),
// as `hydra perform client-credentials` does. Prints the JSON answer, or with --quiet only
// the access token: `TOKEN=$(tessera token -q --client-id svc)`.
import { Option, type Command } from 'commander';
import { CliError, printJson, reported } from '../output.js';
import { clientCredentialOptions, clientCredentials, postAsClient, serverUrl, type ClientCredentialOpts } from '../remote/oauth.js';
import { stdinLine } from '../remote/stdin.js';

interface TokenOpts extends ClientCredentialOpts {
  grant: 'client_credentials' | 'password' | 'refresh_token';
  username?: string; passwordStdin?: boolean; refreshToken?: string; scope?: string; resource?: string[]; quiet?: boolean;
}

/** The grant's own parameters; what a grant does not take is a usage error, not ignored. */
async function grantParams(o: TokenOpts): Promise<Record<string, string | undefined>> {
  const misplaced = (flag: string, grant: string) => new CliError(`${flag} is for --grant ${grant}`, 2);
  if (o.grant !== 'password' && (o.username !== undefined || o.passwordStdin)) throw misplaced(o.username !== undefined ? '--username' : '--password-stdin', 'password');
  if (o.grant !== 'refresh_token' && o.refreshToken !== undefined) throw misplaced('--refresh-token', 'refresh_token');
  switch (o.grant) {
    case 'client_credentials':
      return {};
    case 'password': {
      // RFC 6749 §4.3.2: username and password are required.
      if (!o.username) throw new CliError('--grant password needs --username', 2);
      if (!o.passwordStdin) throw new CliError('--grant password needs --password-stdin (the password is never taken in argv)', 2);
      return { username: o.username, password: await stdinLine('--password-stdin') };
    }
    case 'refresh_token': {
      if (!o.refreshToken) throw new CliError('--grant refresh_token needs --refresh-token TOKEN (or - to read it from stdin)', 2);
      return { refresh_token: o.refreshToken === '-' ? await stdinLine('--refresh-token -') : o.refreshToken };
    }
  }
}

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

export function tokenCommand(program: Command): void {
  clientCredentialOptions(program.command('token')
    .description('get a token from a running server\'s token endpoint and print the JSON answer'))
    .addOption(new Option('--grant <grant_type>', 'the grant').choices(['client_credentials', 'password', 'refresh_token']).default('client_credentials'))
    .option('--username <username>', 'with --grant password: the user')
    .option('--password-stdin', 'with --grant password: read the password from stdin (after the client secret, if that is read too)')
    .option('--refresh-token <token>', 'with --grant refresh_token: the refresh token; - reads it from stdin')
    .option('--scope <scope>', 'the scope to ask for (space separated)')
    .option('--resource <uri>', 'RFC 8707 resource indicator; repeatable', collect)
    .option('-q, --quiet', 'print only the access token')
    .addHelpText('after', `
Exit codes: 0 a token was issued; 1 the server refused (its error code and description are
printed) or could not be reached; 2 a usage mistake.`)
    .action((o: TokenOpts, cmd: Command) => reported(async () => {
      const base = serverUrl(o, cmd);
      const client = await clientCredentials(o);
      const params = { grant_type: o.grant, ...(await grantParams(o)), scope: o.scope };
      // RFC 8707 §2: resource may be given more than once.
      const { body } = await postAsClient(base, '/oauth2/token', client, params, (o.resource ?? []).map((r) => ['resource', r]));
      if (o.quiet) {
        if (typeof body.access_token !== 'string') throw new CliError('the answer has no access_token');
        process.stdout.write(`${body.access_token}\n`);
      } else {
        printJson(body);
      }
    }));
}
