/** Checks that a file holds what a TLS stack will accept: PEM certificates or a PEM key. */
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Verdicts by file text: the boards of one run mostly name the same CA file. */
const certificateVerdicts = new Map<string, string | null>();

/** Returns null when `text` holds at least one certificate and all of them parse. */
export function pemCertificateProblem(text: string): string | null {
  let verdict = certificateVerdicts.get(text);
  if (verdict === undefined) {
    verdict = certificateProblem(text);
    certificateVerdicts.set(text, verdict);
  }
  return verdict;
}

function certificateProblem(text: string): string | null {
  const blocks = text.match(CERT_BLOCK);
  if (!blocks) return 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)';
  // A BEGIN line without its END would be skipped by the pattern: every one must close.
  const begins = text.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
  if (begins !== blocks.length) {
    return `has ${begins} BEGIN CERTIFICATE lines but ${blocks.length} complete certificates`;
  }
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (err) {
      return `certificate ${i + 1} does not parse: ${(err as Error).message}`;
    }
  }
  return null;
}

export function pemKeyProblem(text: string): string | null {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) return 'holds no PEM private key';
  try {
    createPrivateKey(text);
    return null;
  } catch (err) {
    return `private key does not parse: ${(err as Error).message}`;
  }
}

/** Null when the key in `keyPem` is the private half of the first certificate in `certPem`. */
export function keyMismatchProblem(certPem: string, keyPem: string): string | null {
  try {
    const leaf = new X509Certificate((certPem.match(CERT_BLOCK) ?? [''])[0] as string);
    const spki = (k: ReturnType<typeof createPublicKey>) =>
      k.export({ type: 'spki', format: 'der' }).toString('hex');
    if (spki(leaf.publicKey) === spki(createPublicKey(createPrivateKey(keyPem)))) return null;
    return 'is not the private key of the client certificate (their public keys differ)';
  } catch {
    return null; // the parse problems are reported for each file on its own
  }
}
