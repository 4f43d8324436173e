import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { TokenClient, type TokenClientOptions } from '../../../lib/client/token-client.js';
import { TokenEndpointUnavailableError } from '../../../lib/client/token-endpoint-errors.js';

/** A token endpoint on 127.0.0.1 that records what it was sent. */
async function tokenEndpoint(answer: (body: URLSearchParams) => [number, object]) {
  const seen: Array<{ body: URLSearchParams; authorization?: string }> = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = new URLSearchParams(raw);
      seen.push({ body, authorization: req.headers.authorization });
      const [status, json] = answer(body);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A token endpoint on 127.0.0.1 that answers every request with these raw bytes. */
async function rawEndpoint(
  status: number,
  body: string | Buffer,
  headers: Record<string, string> = {},
) {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(status, headers).end(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const ok = (): [number, object] => [200, { access_token: `t-${Math.random()}`, expires_in: 600 }];

/** A client of `tokenEndpoint` with the secret `s` (client_secret_basic), with `extra` options. */
const basicClient = (tokenEndpoint: string, extra: Partial<TokenClientOptions> = {}) =>
  new TokenClient({ tokenEndpoint, clientId: 'c', clientSecret: 's', ...extra });

describe('TokenClient', () => {
  it('authenticates with a private_key_jwt assertion for this token endpoint', async () => {
    const endpoint = await tokenEndpoint(ok);
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const client = new TokenClient({
      tokenEndpoint: endpoint.url,
      clientId: 'api-client',
      clientAssertion: { privateKey, kid: 'k1' },
    });
    await client.getAppToken({ scopes: ['api://downstream/.default'] });
    const { body, authorization } = endpoint.seen[0];
    expect(authorization).toBeUndefined();
    expect(body.get('client_assertion_type')).toBe(
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    );
    const assertion = jwt.verify(body.get('client_assertion')!, publicKey, {
      audience: endpoint.url,
      issuer: 'api-client',
      subject: 'api-client',
      complete: true,
    });
    expect(assertion.header.kid).toBe('k1');
    expect(
      (assertion.payload as jwt.JwtPayload).exp! - Math.floor(Date.now() / 1000),
    ).toBeLessThanOrEqual(60);
    expect(body.get('scope')).toBe('api://downstream/.default');
    await endpoint.close();
  });

  it('sends the Entra on-behalf-of grant when configured for it', async () => {
    const endpoint = await tokenEndpoint(ok);
    const client = basicClient(endpoint.url, { exchange: 'on-behalf-of' });
    const incoming = jwt.sign({ sub: 'u', tid: 't' }, 'x'.repeat(32));
    await client.getTokenOnBehalfOf(incoming, { scopes: ['api://d/Read'] });
    const { body, authorization } = endpoint.seen[0];
    expect(Object.fromEntries(body)).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: incoming,
      requested_token_use: 'on_behalf_of',
      scope: 'api://d/Read',
    });
    expect(authorization).toBe(`Basic ${Buffer.from('c:s').toString('base64')}`);
    await endpoint.close();
  });

  it('keeps separate tokens per user and per scope set', async () => {
    const endpoint = await tokenEndpoint(ok);
    const client = basicClient(endpoint.url);
    const alice = jwt.sign({ sub: 'alice' }, 'x'.repeat(32));
    const bob = jwt.sign({ sub: 'bob' }, 'x'.repeat(32));
    const a1 = await client.getTokenOnBehalfOf(alice, { scopes: ['a', 'b'] });
    expect(await client.getTokenOnBehalfOf(alice, { scopes: ['b', 'a'] })).toBe(a1);
    expect(await client.getTokenOnBehalfOf(bob, { scopes: ['a', 'b'] })).not.toBe(a1);
    expect(await client.getTokenOnBehalfOf(alice, { scopes: ['a'] })).not.toBe(a1);
    expect(endpoint.seen).toHaveLength(3);
    await endpoint.close();
  });

  it('reports an unreachable or failing endpoint as unavailable, and tries again next time', async () => {
    let fail = true;
    const endpoint = await tokenEndpoint(() => (fail ? [503, {}] : ok()));
    const client = basicClient(endpoint.url);
    await expect(client.getAppToken({ scopes: ['x'] })).rejects.toBeInstanceOf(
      TokenEndpointUnavailableError,
    );
    fail = false;
    await expect(client.getAppToken({ scopes: ['x'] })).resolves.toMatch(/^t-/);
    await endpoint.close();
    const gone = basicClient(endpoint.url);
    await expect(gone.getAppToken({ scopes: ['x'] })).rejects.toBeInstanceOf(
      TokenEndpointUnavailableError,
    );
  });

  it.each([
    [200, 'empty', '', 'it answered 200 but the body is empty'],
    [200, 'null', 'null', 'it answered 200 but the body is not a JSON object'],
    [200, 'HTML', '<html>proxy</html>', 'it answered 200 but the body is not JSON'],
    [400, 'empty', '', 'it answered 400 but the body is empty'],
    [401, 'text', 'Unauthorized', 'it answered 401 but the body is not JSON'],
    [200, 'huge', 'x'.repeat(300 * 1024), 'it answered 200 but the body exceeds 262144 bytes'],
  ])('reports a %i answer whose body is %s as unavailable', async (status, _kind, body, detail) => {
    const endpoint = await rawEndpoint(status, body);
    const client = basicClient(endpoint.url);
    try {
      const err: unknown = await client.getAppToken({ scopes: ['x'] }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TokenEndpointUnavailableError);
      expect((err as Error).message).toBe(`The token endpoint is unavailable: ${detail}`);
    } finally {
      await endpoint.close();
    }
  });

  it('stops reading a body that grows past the limit, whatever its declared length', async () => {
    const server: Server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' });
      // Chunked, no Content-Length: only counting the bytes read can stop it.
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const more = () => {
        while (sent < 64 && res.write(chunk)) sent++;
        if (sent < 64) res.once('drain', more);
        else res.end();
      };
      more();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
    const client = basicClient(url);
    try {
      await expect(client.getAppToken({})).rejects.toThrow(
        'The token endpoint is unavailable: it answered 200 but the body exceeds 262144 bytes',
      );
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('refuses to be built without credentials or an endpoint', () => {
    expect(() => new TokenClient({ tokenEndpoint: 'http://x', clientId: 'c' })).toThrow(
      /clientSecret or clientAssertion/,
    );
    expect(() => new TokenClient({ clientId: 'c', clientSecret: 's' })).toThrow(
      /tokenEndpoint or issuer/,
    );
  });
});
