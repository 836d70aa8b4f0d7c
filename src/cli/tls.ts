// A self-signed certificate for `serve --dev --tls`, made in memory at start.
import { generate } from 'selfsigned';

export async function selfSignedCertificate(host: string): Promise<{ cert: Buffer; key: Buffer }> {
  const pems = await generate([{ name: 'commonName', value: host }], {
    keyType: 'ec',
    notAfterDate: new Date(Date.now() + 30 * 86400_000),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }, { type: 2, value: host }] }],
  });
  return { cert: Buffer.from(pems.cert), key: Buffer.from(pems.private) };
}
