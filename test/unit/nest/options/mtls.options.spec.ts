import { createHash } from 'node:crypto';
import { certificateReader } from '../../../../lib/nest/options/mtls.options.js';
import { OidcAuthConfigError } from '../../../../lib/core/config/config-error.js';
import {
  aliceAndMallory,
  type CertificatePair,
  escapedPem,
} from '../../../support/certificates.js';
import { suiteFixture } from '../../../support/suite-fixture.js';

const sha256 = (der: Buffer) => createHash('sha256').update(der).digest('base64url');

describe('certificateReader (where a call’s client certificate comes from)', () => {
  const certs = suiteFixture(aliceAndMallory);

  // A request whose TLS connection presented `tls`, carrying `header` as x-client-cert.
  const request = (tls?: CertificatePair, header?: CertificatePair) => ({
    headers: header ? { 'x-client-cert': escapedPem(header.cert) } : {},
    socket: { getPeerCertificate: () => (tls ? { raw: tls.der } : {}) },
  });

  it('reads the TLS connection by default, and never a header', () => {
    const read = certificateReader(undefined);
    expect(read(request(certs.alice))).toBe(sha256(certs.alice.der));
    expect(read(request(undefined, certs.alice))).toBeUndefined();
    expect(read(request(certs.mallory, certs.alice))).toBe(sha256(certs.mallory.der));
  });

  it('reads the configured header only, whatever the case of its name, and never the connection', () => {
    const read = certificateReader({ certificateHeader: 'X-Client-Cert' });
    expect(read(request(undefined, certs.alice))).toBe(sha256(certs.alice.der));
    expect(read(request(certs.alice))).toBeUndefined();
    expect(read(request(certs.alice, certs.mallory))).toBe(sha256(certs.mallory.der));
  });

  it('finds nothing for a call without a request (microservice messages)', () => {
    expect(certificateReader(undefined)(undefined)).toBeUndefined();
    expect(certificateReader({ certificateHeader: 'x-client-cert' })(undefined)).toBeUndefined();
  });

  it.each(['', 'x client cert', 'Authorization', 'cookie', 'Host', 'DPoP', 'forwarded', 42])(
    'refuses to start with certificateHeader %p',
    (certificateHeader) => {
      expect(() => certificateReader({ certificateHeader: certificateHeader as string })).toThrow(
        OidcAuthConfigError,
      );
    },
  );
});
