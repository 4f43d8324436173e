import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { InvalidTokenError } from '../../../../lib/protocol/errors/errors.js';
import { certificateThumbprint } from '../../../../lib/protocol/mtls/client-certificate.js';
import { verifyCertificateBinding } from '../../../../lib/core/mtls/certificate-binding.js';
import { type CertificatePair, createTestPki } from '../../../support/certificates.js';

const sha256 = (der: Buffer) => createHash('sha256').update(der).digest('base64url');

function reasonOf(claims: Record<string, unknown>, presented: string | undefined): string {
  try {
    verifyCertificateBinding(claims, () => presented);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidTokenError);
    return (err as InvalidTokenError).reason;
  }
  return 'accepted';
}

describe('certificate-bound tokens (RFC 8705 §3)', () => {
  let certificates: CertificatePair[];

  beforeAll(async () => {
    const pki = await createTestPki();
    certificates = await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => pki.client(`CN=client ${i}`)),
      pki.selfSigned(),
      pki.selfSigned(),
      Promise.resolve(pki.server),
    ]);
  });

  it('accepts a token bound to certificate A from A only, whichever certificates meet', () => {
    fc.assert(
      fc.property(
        fc.nat(certificates.length - 1),
        fc.nat(certificates.length - 1),
        (bound, presented) => {
          const claims = { cnf: { 'x5t#S256': sha256(certificates[bound].der) } };
          const thumbprint = certificateThumbprint(certificates[presented].cert);
          return (
            reasonOf(claims, thumbprint) ===
            (bound === presented ? 'accepted' : 'certificate_mismatch')
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses a bound token when any other thumbprint is presented, however close', () => {
    const bound = sha256(certificates[0].der);
    fc.assert(
      fc.property(fc.string({ minLength: 0, maxLength: 60 }), (presented) => {
        fc.pre(presented !== bound);
        return reasonOf({ cnf: { 'x5t#S256': bound } }, presented) === 'certificate_mismatch';
      }),
    );
    const flipped = bound.slice(0, -1) + (bound.endsWith('A') ? 'B' : 'A');
    expect(reasonOf({ cnf: { 'x5t#S256': bound } }, flipped)).toBe('certificate_mismatch');
    expect(reasonOf({ cnf: { 'x5t#S256': bound } }, bound.toLowerCase())).toBe(
      'certificate_mismatch',
    );
  });

  it('refuses a bound token when no certificate was presented', () => {
    expect(reasonOf({ cnf: { 'x5t#S256': sha256(certificates[0].der) } }, undefined)).toBe(
      'certificate_missing',
    );
  });

  it('leaves tokens without cnf, or with an empty one, and never reads the certificate for them', () => {
    let reads = 0;
    const presented = () => {
      reads += 1;
      return undefined;
    };
    expect(() => verifyCertificateBinding({ sub: 'alice' }, presented)).not.toThrow();
    expect(() => verifyCertificateBinding({ sub: 'alice', cnf: {} }, presented)).not.toThrow();
    expect(reads).toBe(0);
  });

  it('refuses confirmation methods it cannot verify rather than treating the token as bearer', () => {
    for (const cnf of [
      { jwk: { kty: 'EC' } },
      { jku: 'https://example.com/jwks', kid: 'k1' },
      { 'x5t#S256': sha256(certificates[0].der), jwk: { kty: 'EC' } },
      { 'x5t#S256': sha256(certificates[0].der), 'x5t#S512': 'x' },
    ]) {
      expect(reasonOf({ cnf }, sha256(certificates[0].der))).toBe('unsupported_confirmation');
    }
  });

  it('leaves cnf.jkt to the DPoP check, and still requires the certificate beside it', () => {
    const jkt = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';
    const bound = sha256(certificates[0].der);
    expect(reasonOf({ cnf: { jkt } }, undefined)).toBe('accepted');
    expect(reasonOf({ cnf: { jkt, 'x5t#S256': bound } }, bound)).toBe('accepted');
    expect(reasonOf({ cnf: { jkt, 'x5t#S256': bound } }, undefined)).toBe('certificate_missing');
    expect(reasonOf({ cnf: { jkt, 'x5t#S256': bound } }, sha256(certificates[1].der))).toBe(
      'certificate_mismatch',
    );
  });

  it('refuses a cnf or thumbprint of the wrong shape as an invalid claim', () => {
    const thumbprint = sha256(certificates[0].der);
    for (const cnf of [
      'x5t',
      null,
      [thumbprint],
      42,
      { 'x5t#S256': 42 },
      { 'x5t#S256': '' },
      { 'x5t#S256': `${thumbprint}=` },
      { 'x5t#S256': Buffer.from(certificates[0].der).toString('hex') },
    ]) {
      expect(reasonOf({ cnf }, thumbprint)).toBe('claim_invalid');
    }
  });

  it('names an unverifiable method in the message only when it is a plain name', () => {
    expect(() => verifyCertificateBinding({ cnf: { kid: 'x' } }, () => undefined)).toThrow(
      /does not verify \(cnf\.kid\)$/,
    );
    expect(() => verifyCertificateBinding({ cnf: { 'a"\n<b>': 1 } }, () => undefined)).toThrow(
      /does not verify$/,
    );
  });
});
