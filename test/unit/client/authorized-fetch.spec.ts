import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authorizedFetch } from '../../../lib/client/authorized-fetch.js';
import { TokenClient } from '../../../lib/client/token-client.js';

interface Seen {
  authorization?: string;
  body: string;
}

/**
 * A token endpoint handing out t1, t2 ... and a downstream API that refuses with 401 the tokens
 * `refuses` names (t1 unless told) and records every call's token and body; both on 127.0.0.1.
 */
async function startServers(
  refuses: (authorization?: string) => boolean = (authorization) => authorization === 'Bearer t1',
) {
  let issued = 0;
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/token') {
        issued++;
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ access_token: `t${issued}`, expires_in: 600 }));
        return;
      }
      const authorization = req.headers.authorization;
      seen.push({ authorization, body: Buffer.concat(chunks).toString() });
      res.writeHead(refuses(authorization) ? 401 : 200).end('done');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new TokenClient({
    tokenEndpoint: `${base}/token`,
    clientId: 'c',
    clientSecret: 's',
  });
  return {
    seen,
    call: authorizedFetch(client, { scopes: ['audit:write'] }),
    url: `${base}/audit`,
    issued: () => issued,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('authorizedFetch', () => {
  let servers: Awaited<ReturnType<typeof startServers>>;

  beforeEach(async () => {
    servers = await startServers();
  });

  afterEach(() => servers.close());

  it.each([
    ['a string', () => '{"entry":"x"}'],
    ['a Buffer', () => Buffer.from('{"entry":"x"}')],
    ['a Blob', () => new Blob(['{"entry":"x"}'])],
    ['URLSearchParams', () => new URLSearchParams({ entry: 'x' })],
  ])('retries a 401 once with a fresh token and the same body, given %s', async (_kind, body) => {
    const sent = body();
    const res = await servers.call(servers.url, { method: 'POST', body: sent });
    expect(res.status).toBe(200);
    expect(servers.seen.map((s) => s.authorization)).toEqual(['Bearer t1', 'Bearer t2']);
    expect(servers.seen[1].body).toBe(servers.seen[0].body);
    expect(servers.seen[1].body).toMatch(/entry/);
  });

  it('does not retry a call whose body is a stream: it returns the 401, and the next call gets a fresh token', async () => {
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"entry":"streamed"}'));
        controller.close();
      },
    });
    const init = { method: 'POST', body: stream, duplex: 'half' } as RequestInit;
    const res = await servers.call(servers.url, init);
    expect(res.status).toBe(401);
    expect(await res.text()).toBe('done');
    expect(servers.seen).toEqual([{ authorization: 'Bearer t1', body: '{"entry":"streamed"}' }]);

    const next = await servers.call(servers.url, { method: 'POST', body: 'again' });
    expect(next.status).toBe(200);
    expect(servers.seen[1]).toEqual({ authorization: 'Bearer t2', body: 'again' });
    expect(servers.issued()).toBe(2);
  });

  it('returns a second 401 as it is, without a third attempt', async () => {
    const stubborn = await startServers(() => true);
    try {
      const res = await stubborn.call(stubborn.url, { method: 'POST', body: 'x' });
      expect(res.status).toBe(401);
      expect(stubborn.seen.map((s) => s.authorization)).toEqual(['Bearer t1', 'Bearer t2']);
    } finally {
      await stubborn.close();
    }
  });
});
