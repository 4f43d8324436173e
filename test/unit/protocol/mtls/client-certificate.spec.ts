import { createHash, X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { InvalidRequestError } from '../../../../lib/protocol/errors/errors.js';
import {
  certificateThumbprint,
  headerCertificateThumbprint,
  MAX_CERTIFICATE_HEADER_LENGTH,
  peerCertificateThumbprint,
} from '../../../../lib/protocol/mtls/client-certificate.js';
import { type CertificatePair, createTestPki, escapedPem } from '../../../support/certificates.js';
import { thrown } from '../../../support/thrown.js';

// The oracle: RFC 8705 §3.1 spelled out, over the DER the generator produced.
const sha256 = (der: Buffer) => createHash('sha256').update(der).digest('base64url');

const refusal = (value: string | string[]) =>
  thrown(InvalidRequestError, () => headerCertificateThumbprint(value)).message;

describe('client certificates', () => {
  let client: CertificatePair;
  let other: CertificatePair;

  beforeAll(async () => {
    const pki = await createTestPki();
    client = await pki.client();
    other = await pki.selfSigned();
  });

  it('thumbprints a certificate given as PEM, DER or X509Certificate alike', () => {
    const expected = sha256(client.der);
    expect(expected).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(certificateThumbprint(client.cert)).toBe(expected);
    expect(certificateThumbprint(client.der)).toBe(expected);
    expect(certificateThumbprint(new X509Certificate(client.cert))).toBe(expected);
    expect(certificateThumbprint(other.cert)).not.toBe(expected);
  });

  describe('from a proxy header (URL-encoded PEM)', () => {
    it("reads nginx's $ssl_client_escaped_cert form", () => {
      expect(headerCertificateThumbprint(escapedPem(client.cert))).toBe(sha256(client.der));
    });

    it('reads a form that leaves + / = unescaped, and CRLF line breaks', () => {
      const lenient = client.cert
        .replace(/\n/g, '\r\n')
        .replace(/[^A-Za-z0-9+/=-]/g, (c) => encodeURIComponent(c));
      expect(lenient).toMatch(/\+|\/|=/);
      expect(headerCertificateThumbprint(lenient)).toBe(sha256(client.der));
    });

    it('takes an absent or empty header as no certificate', () => {
      expect(headerCertificateThumbprint(undefined)).toBeUndefined();
      expect(headerCertificateThumbprint('')).toBeUndefined();
    });

    it('refuses the header sent twice', () => {
      const one = escapedPem(client.cert);
      expect(refusal([one, one])).toMatch(/more than once/);
      // Node joins repeated custom headers into one value with ", ".
      expect(refusal(`${one}, ${escapedPem(other.cert)}`)).toMatch(/2 certificates/);
    });

    it('refuses several certificates (a chain) in one header', () => {
      expect(refusal(escapedPem(client.cert + other.cert))).toMatch(
        /carries 2 certificates; exactly one/,
      );
    });

    it('refuses a header longer than the bound before decoding it', () => {
      const huge = escapedPem(client.cert) + '%20'.repeat(MAX_CERTIFICATE_HEADER_LENGTH);
      expect(refusal(huge)).toMatch(/longer than 16384 characters/);
    });

    it('refuses what is not URL-encoded PEM', () => {
      expect(refusal('%E0%A4%A')).toMatch(/not URL-encoded/);
      expect(refusal('garbage')).toMatch(/not a URL-encoded PEM certificate/);
      // Base64 DER without the PEM armour, as some proxies send it: not the documented form.
      expect(refusal(client.der.toString('base64'))).toMatch(/not a URL-encoded PEM/);
      expect(refusal(escapedPem(client.key))).toMatch(/not a URL-encoded PEM/);
      expect(refusal(escapedPem(client.cert.replace('CERTIFICATE', 'X509 CRL')))).toMatch(
        /not a URL-encoded PEM/,
      );
    });

    it('refuses PEM armour around something that is not exactly one certificate', () => {
      const armour = (der: Buffer) =>
        escapedPem(
          `-----BEGIN CERTIFICATE-----\n${der.toString('base64')}\n-----END CERTIFICATE-----\n`,
        );
      expect(refusal(armour(Buffer.from('not a certificate')))).toMatch(/does not hold an X.509/);
      expect(refusal(armour(client.der.subarray(0, client.der.length - 1)))).toMatch(
        /does not hold an X.509/,
      );
      expect(refusal(armour(Buffer.concat([client.der, Buffer.from([0])])))).toMatch(
        /does not hold an X.509/,
      );
    });

    it('answers every header value with a thumbprint, nothing or InvalidRequestError', () => {
      const pem = escapedPem(client.cert);
      const values = fc.oneof(
        fc.string({ maxLength: 300 }),
        fc.string({ unit: 'binary', maxLength: 300 }),
        // Edits of a valid header: cut, spliced or with bytes inserted.
        fc
          .tuple(fc.nat(pem.length), fc.nat(pem.length), fc.string({ maxLength: 8 }))
          .map(
            ([a, b, insert]) => pem.slice(0, Math.min(a, b)) + insert + pem.slice(Math.max(a, b)),
          ),
      );
      fc.assert(
        fc.property(values, (value) => {
          let thumbprint: string | undefined;
          try {
            thumbprint = headerCertificateThumbprint(value);
          } catch (err) {
            return err instanceof InvalidRequestError;
          }
          if (thumbprint === undefined) return value === '';
          // An accepted value is one certificate and its thumbprint is that certificate's. An edit
          // inside the base64 can leave another well-formed certificate (its signature is not
          // checked, RFC 8705 §2.2), which is a different certificate, not the client's.
          const der = Buffer.from(
            decodeURIComponent(value).replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, ''),
            'base64',
          );
          return thumbprint === sha256(der) && new X509Certificate(der).raw.equals(der);
        }),
        { numRuns: 500 },
      );
    });
  });

  describe('from a TLS socket', () => {
    it('thumbprints the DER the peer presented', () => {
      const socket = { getPeerCertificate: () => ({ raw: client.der }) };
      expect(peerCertificateThumbprint(socket)).toBe(sha256(client.der));
    });

    it('finds none on a TLS socket without a client certificate, a closed one, or plain TCP', () => {
      expect(peerCertificateThumbprint({ getPeerCertificate: () => ({}) })).toBeUndefined();
      expect(peerCertificateThumbprint({ getPeerCertificate: () => null })).toBeUndefined();
      expect(peerCertificateThumbprint({ remoteAddress: '127.0.0.1' })).toBeUndefined();
      expect(peerCertificateThumbprint(undefined)).toBeUndefined();
    });
  });
});
