import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createHash, webcrypto } from 'node:crypto';

// @peculiar/x509 does its cryptography through WebCrypto; Node's is the one to use.
x509.cryptoProvider.set(webcrypto as Crypto);

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A certificate with its private key, PEM-encoded, as TLS options take them. */
export interface CertificatePair {
  /** PEM, one `CERTIFICATE` block. */
  cert: string;
  /** PKCS #8 PEM. */
  key: string;
  /** The DER bytes the RFC 8705 thumbprint is computed over. */
  der: Buffer;
}

/** A throwaway certificate authority, and certificates it issues for servers and clients. */
export interface TestPki {
  ca: CertificatePair;
  /** For `127.0.0.1` and `localhost`. */
  server: CertificatePair;
  /** Issues a new client certificate (distinct key, distinct thumbprint) for `subject`. */
  client(subject?: string): Promise<CertificatePair>;
  /** A self-signed client certificate no CA vouches for (RFC 8705 §2.2 allows binding to one). */
  selfSigned(subject?: string): Promise<CertificatePair>;
}

let serial = 1;

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function pair(cert: x509.X509Certificate, keys: CryptoKeyPair): Promise<CertificatePair> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    cert: cert.toString('pem'),
    key: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
    der: Buffer.from(cert.rawData),
  };
}

const validity = () => ({
  notBefore: new Date(Date.now() - 60_000),
  notAfter: new Date(Date.now() + 24 * 3600_000),
});

/** A CA, a server certificate for 127.0.0.1, and client certificates on demand: all in memory. */
export async function createTestPki(): Promise<TestPki> {
  const caKeys = await generateKeys();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    name: 'CN=nest-oidc-auth test CA',
    keys: caKeys,
    signingAlgorithm: EC,
    ...validity(),
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
    ],
  });

  async function issue(
    subject: string,
    usage: x509.ExtendedKeyUsage,
    extra: x509.Extension[] = [],
  ): Promise<CertificatePair> {
    const keys = await generateKeys();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: (serial++).toString(16).padStart(2, '0'),
      subject,
      issuer: caCert.subject,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: EC,
      ...validity(),
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.ExtendedKeyUsageExtension([usage]),
        ...extra,
      ],
    });
    return pair(cert, keys);
  }

  const server = await issue('CN=127.0.0.1', x509.ExtendedKeyUsage.serverAuth, [
    new x509.SubjectAlternativeNameExtension([
      { type: 'ip', value: '127.0.0.1' },
      { type: 'dns', value: 'localhost' },
    ]),
  ]);
  return {
    ca: await pair(caCert, caKeys),
    server,
    client: (subject = 'CN=client') => issue(subject, x509.ExtendedKeyUsage.clientAuth),
    async selfSigned(subject = 'CN=self-signed client') {
      const keys = await generateKeys();
      const cert = await x509.X509CertificateGenerator.createSelfSigned({
        serialNumber: (serial++).toString(16).padStart(2, '0'),
        name: subject,
        keys,
        signingAlgorithm: EC,
        ...validity(),
      });
      return pair(cert, keys);
    },
  };
}

/**
 * `https` server options for `pki`'s server certificate that ask every client for a certificate
 * and let one without through, as an API accepting certificate-bound and bearer tokens does.
 */
export function requestingClientCertificates(pki: TestPki) {
  return {
    key: pki.server.key,
    cert: pki.server.cert,
    ca: pki.ca.cert,
    requestCert: true,
    rejectUnauthorized: false,
  };
}

/** `pem` as nginx's `$ssl_client_escaped_cert` forwards it: the whole PEM, URL-encoded. */
export function escapedPem(pem: string): string {
  return encodeURIComponent(pem);
}

/**
 * The claims that bind a token to `certificate` (RFC 8705 §3.1), computed here over the DER the
 * generator produced, independently of the module's own thumbprint.
 */
export function boundTo(certificate: CertificatePair): { cnf: { 'x5t#S256': string } } {
  return { cnf: { 'x5t#S256': createHash('sha256').update(certificate.der).digest('base64url') } };
}

/** A PKI and the client certificates it issued to alice and to mallory: who the mTLS suites cast. */
export async function aliceAndMallory(): Promise<{
  pki: TestPki;
  alice: CertificatePair;
  mallory: CertificatePair;
}> {
  const pki = await createTestPki();
  return { pki, alice: await pki.client('CN=alice'), mallory: await pki.client('CN=mallory') };
}
