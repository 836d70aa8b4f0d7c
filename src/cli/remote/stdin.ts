// Secrets read from stdin, one per line, so they never appear in argv (the process list)
// or shell history. Several `--…-stdin` options read successive lines, in a fixed order.
import { CliError } from '../output.js';

let lines: Promise<string[]> | undefined;

function readAll(): Promise<string[]> {
  lines ??= new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8').split(/\r?\n/)));
    process.stdin.on('error', reject);
  });
  return lines;
}

let next = 0;

/** The next line of stdin (a password never appears in argv or shell history); `flag` names the option when there is none. */
export async function stdinLine(flag: string): Promise<string> {
  const all = await readAll();
  const line = all[next++];
  if (line === undefined || (line === '' && next >= all.length)) throw new CliError(`${flag}: stdin ended before a line was read`, 2);
  return line;
}
