import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calculateJwkThumbprint, EmbeddedJWK, type JWK, jwtVerify } from 'jose';
import { authorizedFetch } from '../../../lib/client/authorized-fetch.js';
import { DpopKey } from '../../../lib/client/dpop-key.js';
import { TokenClient } from '../../../lib/client/token-client.js';
import { UnexpectedTokenTypeError } from '../../../lib/client/token-endpoint-errors.js';

interface Proof {
  jkt: string;
  htm: unknown;
  htu: unknown;
  ath?: unknown;
  nonce?: unknown;
  jti: unknown;
}

/** Checks a DPoP header the way RFC 9449 §4.3 says, with jose as the independent verifier. */
async function readProof(req: IncomingMessage): Promise<Proof> {
  const header = req.headers.dpop;
  if (typeof header !== 'string') throw new Error('no DPoP header');
  const { payload, protectedHeader } = await jwtVerify(header, EmbeddedJWK, {
    typ: 'dpop+jwt',
    algorithms: ['ES256', 'ES384', 'PS256', 'EdDSA'],
    maxTokenAge: '60s',
  });
  return {
    jkt: await calculateJwkThumbprint(protectedHeader.jwk as JWK, 'sha256'),
    htm: payload.htm,
    htu: payload.htu,
    ath: payload.ath,
    nonce: payload.nonce,
    jti: payload.jti,
  };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

interface Config {
  /** Nonce the token endpoint requires, if any; `rotating`: a new one with every refusal. */
  tokenNonce?: string;
  /** Nonce the API requires, if any. */
  apiNonce?: string;
  tokenType?: string;
  /** Tokens the API refuses as invalid (401 invalid_token), proof or not. */
  revoked?: string[];
}

/**
 * An authorization server and a DPoP-protected API, each on its own 127.0.0.1 port (two origins,
 * two nonces), checking every proof and recording what they saw or refused.
 */
async function startServers(config: Config) {
  const issued = new Map<string, string>();
  const seenJtis = new Set<unknown>();
  const log: string[] = [];
  let count = 0;
  let rotations = 0;
  const listen = async (handle: (req: IncomingMessage, base: string) => Promise<Answer>) => {
    let base = '';
    const server: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        handle(req, base).then(
          ([status, headers, body]) => res.writeHead(status, headers).end(JSON.stringify(body)),
          (err: Error) => res.writeHead(418).end(err.message),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { base, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  };
  type Answer = [number, Record<string, string>, object];
  const json = { 'content-type': 'application/json' };

  const idp = await listen(async (req, base) => {
    const proof = await readProof(req);
    expect([proof.htm, proof.htu, proof.ath]).toEqual(['POST', `${base}/token`, undefined]);
    if (config.tokenNonce && proof.nonce !== config.tokenNonce) {
      log.push(`token: nonce ${String(proof.nonce)} refused`);
      const nonce =
        config.tokenNonce === 'rotating' ? `idp-nonce-${++rotations}` : config.tokenNonce;
      return [400, { ...json, 'dpop-nonce': nonce }, { error: 'use_dpop_nonce' }];
    }
    const token = `t${++count}`;
    issued.set(token, proof.jkt);
    log.push(`token: ${token} bound to ${proof.jkt}`);
    return [
      200,
      json,
      { access_token: token, token_type: config.tokenType ?? 'DPoP', expires_in: 600 },
    ];
  });

  const api = await listen(async (req, base) => {
    const [scheme, token] = (req.headers.authorization ?? '').split(' ');
    const proof = await readProof(req);
    if (seenJtis.has(proof.jti)) throw new Error('proof replayed');
    seenJtis.add(proof.jti);
    expect(scheme).toBe('DPoP');
    expect(proof.htm).toBe(req.method);
    expect(proof.htu).toBe(`${base}${req.url!.split('?')[0]}`);
    expect(proof.ath).toBe(sha256(token));
    expect(proof.jkt).toBe(issued.get(token));
    if (config.apiNonce && proof.nonce !== config.apiNonce) {
      log.push(`api: nonce ${String(proof.nonce)} refused`);
      return [
        401,
        { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': config.apiNonce },
        {},
      ];
    }
    if (config.revoked?.includes(token)) {
      log.push(`api: ${token} revoked`);
      return [401, { 'www-authenticate': 'DPoP error="invalid_token"' }, {}];
    }
    log.push(`api: ${req.method} ${token} nonce ${String(proof.nonce)}`);
    return [200, json, { ok: true }];
  });

  return {
    idp,
    api,
    log,
    close: async () => {
      await idp.close();
      await api.close();
    },
  };
}

describe('TokenClient and authorizedFetch with DPoP', () => {
  let servers: Awaited<ReturnType<typeof startServers>>;
  afterEach(() => servers.close());

  const clientFor = (dpop: ConstructorParameters<typeof TokenClient>[0]['dpop'] = true) =>
    new TokenClient({
      tokenEndpoint: `${servers.idp.base}/token`,
      clientId: 'c',
      clientSecret: 's',
      dpop,
    });

  it('binds the token to one kept key, and proves it on every call with a fresh proof', async () => {
    servers = await startServers({});
    const client = clientFor();
    const call = authorizedFetch(client, { scopes: ['audit:write'] });
    for (const method of ['GET', 'post', 'PATCH', 'delete']) {
      const res = await call(`${servers.api.base}/audit/entries?x=1#frag`, {
        method,
        body: method === 'GET' ? undefined : '{}',
      });
      expect(res.status).toBe(200);
    }
    const key = await client.dpop!.keyPair();
    expect(servers.log).toEqual([
      `token: t1 bound to ${key.thumbprint}`,
      'api: GET t1 nonce undefined',
      'api: POST t1 nonce undefined',
      'api: PATCH t1 nonce undefined',
      'api: DELETE t1 nonce undefined',
    ]);
  });

  it('answers use_dpop_nonce from the token endpoint and from the API once each, and keeps each server its own nonce', async () => {
    servers = await startServers({ tokenNonce: 'idp-nonce', apiNonce: 'api-nonce' });
    const client = clientFor({ algorithm: 'EdDSA' });
    const call = authorizedFetch(client, {});
    expect((await call(`${servers.api.base}/a`)).status).toBe(200);
    expect((await call(`${servers.api.base}/b`)).status).toBe(200);
    expect(servers.log).toEqual([
      'token: nonce undefined refused',
      `token: t1 bound to ${(await client.dpop!.keyPair()).thumbprint}`,
      'api: nonce undefined refused',
      'api: GET t1 nonce api-nonce',
      'api: GET t1 nonce api-nonce',
    ]);
  });

  it('answers use_dpop_nonce once only, however many nonces the token endpoint hands out', async () => {
    servers = await startServers({ tokenNonce: 'rotating' });
    await expect(clientFor().getAppToken({})).rejects.toMatchObject({ error: 'use_dpop_nonce' });
    expect(servers.log).toEqual([
      'token: nonce undefined refused',
      'token: nonce idp-nonce-1 refused',
    ]);
  });

  it('refuses a Bearer token when it asked for a DPoP-bound one', async () => {
    servers = await startServers({ tokenType: 'Bearer' });
    await expect(clientFor().getAppToken({})).rejects.toThrow(UnexpectedTokenTypeError);
    await expect(clientFor().getAppToken({})).rejects.toThrow(/token_type is "Bearer"/);
  });

  it('evicts a token the API refuses for itself, and retries once with a new one bound to the same key', async () => {
    servers = await startServers({ revoked: ['t1'] });
    const client = clientFor();
    const res = await authorizedFetch(client, {})(`${servers.api.base}/x`, {
      method: 'PUT',
      body: 'same body',
    });
    expect(res.status).toBe(200);
    const { thumbprint } = await client.dpop!.keyPair();
    expect(servers.log).toEqual([
      `token: t1 bound to ${thumbprint}`,
      'api: t1 revoked',
      `token: t2 bound to ${thumbprint}`,
      'api: PUT t2 nonce undefined',
    ]);
  });

  it('uses the key the application brings', async () => {
    servers = await startServers({});
    const key = await DpopKey.generate('PS256');
    await authorizedFetch(clientFor({ key }), {})(`${servers.api.base}/x`);
    expect(servers.log[0]).toBe(`token: t1 bound to ${key.thumbprint}`);
  });

  it('does not resend a streamed body after a nonce challenge, and the next call carries the nonce', async () => {
    servers = await startServers({ apiNonce: 'api-nonce' });
    const call = authorizedFetch(clientFor(), {});
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    const first = await call(`${servers.api.base}/s`, {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(first.status).toBe(401);
    expect((await call(`${servers.api.base}/s`, { method: 'POST', body: 'x' })).status).toBe(200);
    expect(servers.log.slice(1)).toEqual([
      'api: nonce undefined refused',
      'api: POST t1 nonce api-nonce',
    ]);
  });
});
