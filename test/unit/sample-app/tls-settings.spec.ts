import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsError } from '../../../sample-app/src/config/auth-settings.js';
import {
  clientMetadataCaFrom,
  tlsSettingsFrom,
} from '../../../sample-app/src/config/tls-settings.js';

describe('sample app TLS settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tls-settings-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  writeFileSync(cert, 'CERT');
  writeFileSync(key, 'KEY');

  it('serves plain http, and reads certificates from connections, when nothing is set', () => {
    expect(tlsSettingsFrom({})).toEqual({ https: undefined, mtls: undefined });
  });

  it('asks for client certificates without requiring them', () => {
    expect(
      tlsSettingsFrom({ TLS_CERT_FILE: cert, TLS_KEY_FILE: key, TLS_CA_FILE: cert }).https,
    ).toEqual({
      cert: Buffer.from('CERT'),
      key: Buffer.from('KEY'),
      ca: Buffer.from('CERT'),
      requestCert: true,
      rejectUnauthorized: false,
    });
  });

  it('takes the certificate header from OIDC_MTLS_CERT_HEADER', () => {
    expect(tlsSettingsFrom({ OIDC_MTLS_CERT_HEADER: ' x-client-cert ' }).mtls).toEqual({
      certificateHeader: 'x-client-cert',
    });
  });

  it('names the variable to fix', () => {
    const problem = (env: Record<string, string>) => {
      try {
        tlsSettingsFrom(env);
      } catch (err) {
        expect(err).toBeInstanceOf(SettingsError);
        return (err as Error).message;
      }
      return 'accepted';
    };
    expect(problem({ TLS_CERT_FILE: cert })).toMatch(/^TLS_KEY_FILE must be set together/);
    expect(problem({ TLS_KEY_FILE: key })).toMatch(/^TLS_CERT_FILE must be set together/);
    expect(problem({ TLS_CA_FILE: cert })).toMatch(/^TLS_CA_FILE needs TLS_CERT_FILE/);
    expect(problem({ TLS_CERT_FILE: join(dir, 'missing.pem'), TLS_KEY_FILE: key })).toMatch(
      /^TLS_CERT_FILE cannot be read: ENOENT/,
    );
  });

  it('reads the CAs for client ID metadata documents, naming the variable when it cannot', () => {
    expect(clientMetadataCaFrom({})).toBeUndefined();
    expect(clientMetadataCaFrom({ DEV_IDP_CLIENT_METADATA_CA_FILE: cert })).toEqual(
      Buffer.from('CERT'),
    );
    expect(() =>
      clientMetadataCaFrom({ DEV_IDP_CLIENT_METADATA_CA_FILE: join(dir, 'missing.pem') }),
    ).toThrow(/^DEV_IDP_CLIENT_METADATA_CA_FILE cannot be read/);
  });
});
