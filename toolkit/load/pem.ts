/** Checks that a file holds what a TLS stack will accept: PEM certificates or a PEM key. */
import { X509Certificate, createPrivateKey } from 'node:crypto';

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Returns null when `text` holds at least one certificate and all of them parse. */
export function pemCertificateProblem(text: string): string | null {
  const blocks = text.match(CERT_BLOCK);
  if (!blocks) return 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)';
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
