import { type INestApplication } from '@nestjs/common';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { type OidcAuthModuleOptions } from '../../../lib/index.js';
import { graphqlApp } from '../../support/graphql-app.js';
import { suiteIssuer } from '../../support/suite-fixture.js';
import { trusted } from '../../support/trusted.js';

interface Closed {
  code: number;
  reason: string;
}

describe('GraphQL subscriptions over graphql-ws (Apollo)', () => {
  const issuer = suiteIssuer();
  let app: INestApplication;
  let url: string;
  let clients: Client[];

  async function start(options: Partial<OidcAuthModuleOptions> = {}) {
    app = await graphqlApp({
      issuers: trusted(issuer),
      ...options,
    });
    url = `${(await app.getUrl()).replace('http', 'ws')}/graphql`;
  }

  /** A client that does not retry, and the close event that ended it. */
  function client(authorization?: unknown): { client: Client; closed: Promise<Closed> } {
    let onClosed: (closed: Closed) => void = () => undefined;
    const closed = new Promise<Closed>((resolve) => (onClosed = resolve));
    const created = createClient({
      url,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      connectionParams: authorization === undefined ? {} : { authorization },
      on: {
        closed: (event) => {
          const { code, reason } = event as { code: number; reason: string };
          onClosed({ code, reason: String(reason) });
        },
      },
      onNonLazyError: () => undefined,
    });
    clients.push(created);
    return { client: created, closed };
  }

  /** The first `count` results of a subscription, or the errors that ended it. */
  function take(
    c: Client,
    query: string,
    count: number,
  ): Promise<{ results: unknown[]; error?: unknown }> {
    return new Promise((resolve) => {
      const results: unknown[] = [];
      const dispose = c.subscribe(
        { query },
        {
          next: (value) => {
            results.push(value);
            if (results.length === count) {
              dispose();
              resolve({ results });
            }
          },
          error: (error) => resolve({ results, error }),
          complete: () => resolve({ results }),
        },
      );
    });
  }

  beforeEach(() => {
    clients = [];
  });
  afterEach(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await app.close();
  });

  const bearer = async (scopes: string[], expiresIn?: number) =>
    `Bearer ${await issuer.mintToken({ sub: 'alice', scopes }, { expiresIn })}`;

  it('refuses connection_init without a token, or with a bad one, with 4401 and the reason', async () => {
    await start();
    expect(await client().closed).toEqual({
      code: 4401,
      reason: 'This resource requires a bearer token',
    });
    const expired = await bearer(['notes:read'], -3600);
    expect((await client(expired).closed).code).toBe(4401);
    expect(await client('Bearer a b').closed).toEqual({
      code: 4401,
      reason: 'The Authorization header must have the form "Bearer <token>" with exactly one token',
    });
    expect((await client(42).closed).code).toBe(4401);
    const tooLong = `${await bearer(['notes:read'])}${'A'.repeat(16 * 1024)}`;
    expect(await client(tooLong).closed).toEqual({
      code: 4401,
      reason: 'The access token is longer than 16384 characters',
    });
  });

  it('streams to a connection whose token has the scope', async () => {
    await start();
    const { client: c } = client(await bearer(['notes:read']));
    expect(await take(c, 'subscription { noteAdded { id text } }', 2)).toEqual({
      results: [
        { data: { noteAdded: { id: 1, text: 'note 1' } } },
        { data: { noteAdded: { id: 2, text: 'note 2' } } },
      ],
    });
  });

  it('answers a subscription lacking its role with FORBIDDEN and keeps the connection', async () => {
    await start();
    const { client: c } = client(await bearer(['notes:read']));
    const refused = await take(c, 'subscription { secrets }', 1);
    const errors = (refused.error ?? refused.results[0]) as unknown;
    expect(JSON.stringify(errors)).toContain('"code":"FORBIDDEN"');
    expect(await take(c, 'subscription { noteAdded { id } }', 1)).toEqual({
      results: [{ data: { noteAdded: { id: 1 } } }],
    });
  });

  it('closes the connection with 4401 when the token expires', async () => {
    await start({ clockToleranceSeconds: 0 });
    const { client: c, closed } = client(await bearer(['notes:read'], 2));
    expect((await take(c, 'subscription { noteAdded { id } }', 1)).results).toHaveLength(1);
    expect(await closed).toEqual({ code: 4401, reason: 'The access token expired' });
  });

  it('closes the connection with 4401 at its next operation once the issuerResolver dropped its issuer', async () => {
    const ttlMs = 300;
    let trusted = true;
    await start({
      issuers: [],
      issuerResolver: () => (trusted ? issuer.issuerOptions() : undefined),
      resolverCache: { ttlMs },
      warmUp: false,
    });
    const { client: c, closed } = client(await bearer(['notes:read']));
    expect((await take(c, 'subscription { noteAdded { id } }', 1)).results).toHaveLength(1);
    trusted = false;
    await new Promise((resolve) => setTimeout(resolve, ttlMs + 50));
    const refused = await take(c, 'subscription { noteAdded { id } }', 1);
    expect(refused.results).toEqual([]);
    expect(await closed).toEqual({ code: 4401, reason: 'The token issuer is no longer trusted' });
  });
});
