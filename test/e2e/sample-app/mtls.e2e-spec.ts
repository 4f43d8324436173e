import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { SampleApp } from '../../../sample-app/src/server.js';
import {
  boundTo,
  type CertificatePair,
  createTestPki,
  escapedPem,
  type TestPki,
} from '../../support/certificates.js';
import { httpsCall } from '../../support/https-client.js';
import { startSample } from '../../support/sample-app.js';
import { suiteIssuer } from '../../support/suite-fixture.js';

// The sample's black-box contract for certificate-bound tokens, in OIDC_ISSUER mode: TLS_CERT_FILE,
// TLS_KEY_FILE and TLS_CA_FILE serve https asking for (not requiring) client certificates;
// OIDC_MTLS_CERT_HEADER takes the certificate from a proxy's header instead.
describe('sample app: certificate-bound tokens', () => {
  let pki: TestPki;
  const issuer = suiteIssuer({ audience: 'api://notes' });
  let alice: CertificatePair;
  let mallory: CertificatePair;
  let files: Record<string, string>;

  beforeAll(async () => {
    pki = await createTestPki();
    alice = await pki.client('CN=alice');
    mallory = await pki.client('CN=mallory');
    const dir = mkdtempSync(join(tmpdir(), 'sample-tls-'));
    files = {
      TLS_CERT_FILE: join(dir, 'server.pem'),
      TLS_KEY_FILE: join(dir, 'server-key.pem'),
      TLS_CA_FILE: join(dir, 'ca.pem'),
    };
    writeFileSync(files.TLS_CERT_FILE, pki.server.cert);
    writeFileSync(files.TLS_KEY_FILE, pki.server.key);
    writeFileSync(files.TLS_CA_FILE, pki.ca.cert);
  });

  const external = (env: Record<string, string> = {}) =>
    startSample({ OIDC_ISSUER: issuer.issuer, OIDC_AUDIENCE: 'api://notes', ...env });

  describe('over https (TLS_CERT_FILE, TLS_KEY_FILE, TLS_CA_FILE)', () => {
    let sample: SampleApp;

    beforeAll(async () => {
      sample = await external(files);
    });
    afterAll(() => sample.close());

    const notes = (token: string, certificate?: CertificatePair) =>
      httpsCall(`${sample.apiUrl}/notes`, { ca: pki.ca.cert, token, certificate });

    it('serves https, and a bound token only to the client with its certificate', async () => {
      expect(sample.apiUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const token = await issuer.mint({ scope: 'notes:read', ...boundTo(alice) });
      expect(await notes(token, alice)).toMatchObject({ status: 200, body: [] });
      for (const certificate of [undefined, mallory]) {
        const refused = await notes(token, certificate);
        expect(refused.status).toBe(401);
        expect(refused.headers['www-authenticate']).toMatch(
          /^Bearer realm="notes", error="invalid_token"/,
        );
      }
    });

    it('asks for a certificate without requiring one: bearer tokens work without', async () => {
      const token = await issuer.mint({ scope: 'notes:read' });
      expect((await notes(token)).status).toBe(200);
      expect((await notes(token, mallory)).status).toBe(200);
    });

    it('ignores a certificate header it was not told to trust', async () => {
      const token = await issuer.mint({ scope: 'notes:read', ...boundTo(alice) });
      const forged = await httpsCall(`${sample.apiUrl}/notes`, {
        ca: pki.ca.cert,
        token,
        headers: { 'x-client-cert': escapedPem(alice.cert) },
      });
      expect(forged.status).toBe(401);
    });

    it('checks the certificate at the WebSocket upgrade', async () => {
      const token = await issuer.mint({ scope: 'notes:read', ...boundTo(alice) });
      const upgrade = (certificate?: CertificatePair) =>
        new Promise<number>((resolve, reject) => {
          const socket = new WebSocket(`${sample.apiUrl.replace('https', 'wss')}/ws`, {
            headers: { authorization: `Bearer ${token}` },
            ca: pki.ca.cert,
            cert: certificate?.cert,
            key: certificate?.key,
          });
          socket.once('open', () => {
            socket.close();
            resolve(101);
          });
          socket.once('unexpected-response', (_req, res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          socket.once('error', reject);
        });
      expect(await upgrade(alice)).toBe(101);
      expect(await upgrade(mallory)).toBe(401);
      expect(await upgrade()).toBe(401);
    });
  });

  describe('behind a TLS-terminating proxy (OIDC_MTLS_CERT_HEADER)', () => {
    let sample: SampleApp;

    beforeAll(async () => {
      sample = await external({ OIDC_MTLS_CERT_HEADER: 'X-Client-Cert' });
    });
    afterAll(() => sample.close());

    const notes = (token: string, header?: string) =>
      fetch(`${sample.apiUrl}/notes`, {
        headers: {
          authorization: `Bearer ${token}`,
          ...(header !== undefined && { 'x-client-cert': header }),
        },
      });

    it("takes the client's certificate from the header", async () => {
      const token = await issuer.mint({ scope: 'notes:read', ...boundTo(alice) });
      expect((await notes(token, escapedPem(alice.cert))).status).toBe(200);
      expect((await notes(token, escapedPem(mallory.cert))).status).toBe(401);
      expect((await notes(token)).status).toBe(401);
    });

    it('answers a malformed header with 400 invalid_request', async () => {
      const token = await issuer.mint({ scope: 'notes:read', ...boundTo(alice) });
      const answer = await notes(token, 'not-a-certificate');
      expect(answer.status).toBe(400);
      expect(answer.headers.get('www-authenticate')).toMatch(/error="invalid_request"/);
      expect(await answer.json()).toMatchObject({
        message: 'The client certificate header is not a URL-encoded PEM certificate',
      });
    });
  });
});
