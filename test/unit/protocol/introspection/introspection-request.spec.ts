import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader, exportSPKI, importSPKI, jwtVerify } from 'jose';
import { IssuerFetchError } from '../../../../lib/protocol/http/fetch-json.js';
import {
  basicAuthorization,
  postIntrospection,
} from '../../../../lib/protocol/introspection/introspection-request.js';
import { signClientAssertion } from '../../../../lib/core/introspection/client-assertion.js';

describe('basicAuthorization (RFC 6749 §2.3.1)', () => {
  it('form-encodes id and secret before base64, so a colon in the id cannot shift the split', () => {
    const header = basicAuthorization('my:client', 'p@ss word/+');
    const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString();
    expect(decoded).toBe('my%3Aclient:p%40ss+word%2F%2B');
    const [id, secret] = decoded.split(':');
    const formDecode = (v: string) => decodeURIComponent(v.replace(/\+/g, ' '));
    expect([formDecode(id), formDecode(secret)]).toEqual(['my:client', 'p@ss word/+']);
  });
});

describe('signClientAssertion (RFC 7523 §2.2), checked by jose', () => {
  it.each([
    ['RS256', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
    ['PS384', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
    ['ES256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ['ES512', () => generateKeyPairSync('ec', { namedCurve: 'P-521' })],
  ] as const)('%s', async (algorithm, pair) => {
    const { privateKey, publicKey } = pair();
    const now = Math.floor(Date.now() / 1000);
    const assertion = signClientAssertion({
      clientId: 'notes-api',
      audience: 'https://as.example',
      key: privateKey,
      algorithm,
      kid: 'k1',
      nowSeconds: now,
    });
    const key = await importSPKI(await exportSPKI(publicKey), algorithm);
    const { payload } = await jwtVerify(assertion, key, {
      algorithms: [algorithm],
      issuer: 'notes-api',
      subject: 'notes-api',
      audience: 'https://as.example',
    });
    expect(payload).toMatchObject({ iat: now, exp: now + 60 });
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(decodeProtectedHeader(assertion)).toEqual({ alg: algorithm, typ: 'JWT', kid: 'k1' });
  });
});

describe('postIntrospection', () => {
  let server: Server;
  let url: string;
  let answer: (res: import('node:http').ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => answer(res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/introspect`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (maxBytes = 1024) =>
    postIntrospection({
      endpoint: url,
      form: new URLSearchParams({ token: 'secret-token' }),
      signed: false,
      timeoutMs: 500,
      maxBytes,
    });

  it('does not follow a redirect (the token would travel with it)', async () => {
    answer = (res) => res.writeHead(307, { location: 'http://127.0.0.1:9/x' }).end();
    await expect(post()).resolves.toEqual({ status: 307, type: '', body: '' });
  });

  it('reads the media type without parameters, lower case', async () => {
    answer = (res) =>
      res.writeHead(200, { 'content-type': 'Application/JSON; charset=utf-8' }).end('{}');
    await expect(post()).resolves.toEqual({ status: 200, type: 'application/json', body: '{}' });
  });

  it('refuses a body over maxBytes, naming neither more than the endpoint nor the token', async () => {
    answer = (res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('x'.repeat(5000));
    const err = await post(1024).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IssuerFetchError);
    expect((err as Error).message).toContain('exceeds 1024 bytes');
    expect((err as Error).message).not.toContain('secret-token');
  });

  it.each([
    [401, 'application/json', '{"error":"invalid_client"}', 'invalid_client'],
    [400, 'application/json; charset=utf-8', '{"error":"invalid_client"}', 'invalid_client'],
    [401, 'text/html', '{"error":"invalid_client"}', undefined],
    [401, 'application/json', 'not json', undefined],
    [401, 'application/json', '{"error":"bad\\nline, secret=s3cr3t"}', undefined],
    [401, 'application/json', `{"error":"invalid_client","pad":"${'x'.repeat(5000)}"}`, undefined],
    [500, 'application/json', '{"error":"server_error"}', undefined],
  ] as const)(
    'reads the error code of a %i %s answer only when it is a plain code',
    async (status, type, body, error) => {
      answer = (res) => res.writeHead(status, { 'content-type': type }).end(body);
      const result = await post();
      expect(result.status).toBe(status);
      expect(result.body).toBe('');
      expect(result.error).toBe(error);
    },
  );

  it('times out a hanging endpoint', async () => {
    answer = () => undefined;
    const err = await post().catch((e: unknown) => e);
    expect((err as IssuerFetchError).detail).toBe('no answer within 500 ms');
  });
});
