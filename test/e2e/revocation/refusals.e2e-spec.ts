import { type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { io } from 'socket.io-client';
import request from 'supertest';
import WebSocket from 'ws';
import {
  azureAdClaims,
  OidcAuthModule,
  type OidcAuthModuleOptions,
  OidcRevocations,
  Principal,
} from '../../../lib/index.js';
import { OidcIoAdapter } from '../../../lib/socket-io/index.js';
import { OidcWsAdapter } from '../../../lib/ws/index.js';
import { parseChallenges } from '../../support/challenges.js';
import { gatewayAppOf } from '../../support/gateway-app.js';
import { graphqlApp, postGraphQL } from '../../support/graphql-app.js';
import { suiteIssuer } from '../../support/suite-fixture.js';
import { initApp, PLATFORMS, TEST_CONTROLLERS } from '../../support/test-app.js';
import { askGateway, openWebSocket } from '../../support/ws-client.js';

const RECEIVER = 'https://api.example/ssf';
const PUSH_AUTHORIZATION = 'Bearer push-secret-0123456789';
const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';
const nowSeconds = () => Math.floor(Date.now() / 1000);

// The identity provider issuing access tokens, whose mapper reads Entra's xms_cc, and the SSF
// transmitter pushing its events; both serve their keys over HTTP on 127.0.0.1.
const idp = suiteIssuer();
const transmitter = suiteIssuer();

function options(): OidcAuthModuleOptions {
  return {
    issuers: [{ issuer: idp.issuer, audience: idp.audience, claimMapper: azureAdClaims }],
    revocation: {
      maxTokenLifetimeSeconds: 3600,
      push: {},
      transmitters: [
        {
          issuer: transmitter.issuer,
          jwksUri: transmitter.jwksUri,
          audience: RECEIVER,
          pushAuthorization: PUSH_AUTHORIZATION,
          tokenIssuers: [idp.issuer],
        },
      ],
    },
  };
}

/** A SET of `event` about bob, from the transmitter. */
function set(event: string, payload: Record<string, unknown> = {}): string {
  return transmitter.signRaw(
    { typ: 'secevent+jwt' },
    {
      iss: transmitter.issuer,
      aud: RECEIVER,
      iat: nowSeconds(),
      jti: `jti-${Math.random().toString(36).slice(2)}`,
      sub_id: { format: 'iss_sub', iss: idp.issuer, sub: 'bob' },
      events: { [`${CAEP}${event}`]: payload },
    },
  );
}

async function push(app: INestApplication, body: string): Promise<void> {
  const answer = await request(app.getHttpServer())
    .post('/ssf/events')
    .set('Authorization', PUSH_AUTHORIZATION)
    .set('Content-Type', 'application/secevent+jwt')
    .send(body);
  expect(answer.status).toBe(202);
}

const bobBefore = (claims: Record<string, unknown> = {}) =>
  idp.mint({ sub: 'bob', scp: 'notes:read', iat: nowSeconds() - 10, ...claims });

/** The claims request of a CAE claims challenge, decoded. */
const claimsRequest = (claims: string) =>
  JSON.parse(Buffer.from(claims, 'base64').toString('utf8')) as {
    access_token: { nbf: { essential: boolean; value: string } };
  };

describe.each(PLATFORMS)('what a revoked token is answered over HTTP (%s)', (platform) => {
  let app: INestApplication;

  beforeEach(async () => {
    const ref = await Test.createTestingModule({
      imports: [OidcAuthModule.forRoot(options())],
      controllers: TEST_CONTROLLERS,
    }).compile();
    app = await initApp(ref, platform);
  });

  afterEach(async () => {
    await app.close();
  });

  const me = (token: string) =>
    request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);

  it('asks for a step-up after assurance-level-change: the new level, and an authentication after the event', async () => {
    const token = await bobBefore();
    expect((await me(token)).status).toBe(200);
    const eventTime = nowSeconds() - 2;
    await push(
      app,
      set('assurance-level-change', {
        namespace: 'NIST-AAL',
        current_level: 'nist-aal1',
        previous_level: 'nist-aal2',
        change_direction: 'decrease',
        event_timestamp: eventTime,
      }),
    );
    const refused = await me(token);
    expect(refused.status).toBe(401);
    const [bearer] = parseChallenges(refused.headers['www-authenticate']);
    expect(bearer.params).toMatchObject({
      error: 'insufficient_user_authentication',
      error_description: 'The token was revoked (assurance-level-change): authenticate again',
      acr_values: 'nist-aal1',
    });
    const maxAge = Number(bearer.params.max_age);
    expect(maxAge).toBeGreaterThanOrEqual(2);
    expect(maxAge).toBeLessThan(30);
    // A token from an authentication within max_age is after the event: accepted.
    expect((await me(await bobBefore({ iat: nowSeconds() }))).status).toBe(200);
  });

  it('demands a fresh token after token-claims-change', async () => {
    const token = await bobBefore();
    await push(app, set('token-claims-change', { claims: { role: 'reader' } }));
    const refused = await me(token);
    expect(refused.status).toBe(401);
    expect(parseChallenges(refused.headers['www-authenticate'])[0].params).toMatchObject({
      error: 'invalid_token',
      error_description:
        'The token was revoked (token-claims-change): its claims changed, get a fresh token',
    });
    expect(refused.headers['www-authenticate']).not.toContain('bob');
  });

  it('answers a cp1 client with the CAE claims challenge, which a token issued after the revocation meets', async () => {
    const token = await bobBefore({ xms_cc: ['cp1'] });
    expect((await me(token)).status).toBe(200);
    await push(app, set('session-revoked'));
    const refused = await me(token);
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toMatch(
      /^Bearer realm="", error="insufficient_claims", error_description="The token was revoked \(session-revoked\): get a token issued after it", claims="[A-Za-z0-9+/=]+"/,
    );
    const [bearer] = parseChallenges(refused.headers['www-authenticate']);
    const demanded = claimsRequest(bearer.params.claims).access_token.nbf;
    expect(demanded.essential).toBe(true);
    // What MSAL does: a new token satisfying the claims request, which is accepted.
    const nbf = Number(demanded.value);
    expect(nbf).toBeGreaterThan(nowSeconds() - 10);
    const fresh = await idp.mint({ sub: 'bob', scp: 'notes:read', xms_cc: ['cp1'], iat: nbf, nbf });
    expect((await me(fresh)).status).toBe(200);
    // A client without the capability is told invalid_token, naming the event.
    const plain = await me(await bobBefore());
    expect(parseChallenges(plain.headers['www-authenticate'])[0].params.error).toBe(
      'invalid_token',
    );
  });
});

describe('what a revoked token is answered over GraphQL', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    app = await graphqlApp(options());
    url = `${await app.getUrl()}/graphql`;
  });

  afterAll(async () => {
    await app.close();
  });

  const me = (token: string) => postGraphQL(url, '{ me }', { authorization: `Bearer ${token}` });

  it('carries the step-up parameters and the CAE claims challenge in the error extensions', async () => {
    const stepUp = await bobBefore();
    const cp1 = await bobBefore({ xms_cc: ['cp1'] });
    expect((await me(stepUp)).body.data).toEqual({ me: 'bob' });
    await push(
      app,
      set('assurance-level-change', { namespace: 'NIST-AAL', current_level: 'nist-aal1' }),
    );

    const refused = (await me(stepUp)).body;
    expect(refused.data?.me ?? null).toBeNull();
    expect(refused.errors?.[0].extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      error: 'insufficient_user_authentication',
      status: 401,
      acr_values: 'nist-aal1',
      max_age: expect.any(Number),
    });

    const challenged = (await me(cp1)).body.errors?.[0];
    expect(challenged?.message).toBe(
      'The token was revoked (assurance-level-change): get a token issued after it',
    );
    expect(challenged?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      error: 'insufficient_claims',
      status: 401,
    });
    const claims = claimsRequest(challenged?.extensions?.claims as string);
    expect(Number(claims.access_token.nbf.value)).toBeGreaterThan(nowSeconds() - 10);
  });
});

@WebSocketGateway({ path: '/ws' })
class WhoAmIGateway {
  @SubscribeMessage('whoami')
  whoami(@Principal('subject') subject: string) {
    return { event: 'whoami', data: subject };
  }
}

describe('what a revoked token is answered over WebSocket', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    const served = await gatewayAppOf(options(), [WhoAmIGateway], (a) => new OidcWsAdapter(a));
    app = served.app;
    url = `${served.url.replace('http', 'ws')}/ws`;
  });

  afterAll(async () => {
    await app.close();
  });

  /** The status and challenge of a refused upgrade. */
  function refusedUpgrade(token: string): Promise<{ status: number; challenge: string }> {
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    return new Promise((resolve, reject) => {
      // Ending a refused upgrade makes ws report it as an error: expected here.
      socket.on('error', () => undefined);
      socket.once('unexpected-response', (_req, res) => {
        resolve({
          status: res.statusCode ?? 0,
          challenge: String(res.headers['www-authenticate']),
        });
        socket.terminate();
      });
      socket.once('open', () => reject(new Error('the upgrade was accepted')));
    });
  }

  it('closes an open connection naming the event, and answers its next handshake with the challenge', async () => {
    const token = await bobBefore({ xms_cc: ['cp1'] });
    const socket = await openWebSocket(url, token);
    expect(await askGateway(socket, 'whoami')).toEqual({ event: 'whoami', data: 'bob' });

    await app.get(OidcRevocations).revokeSubject(idp.issuer, 'bob');
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.once('close', (code: number, reason: Buffer) =>
        resolve({ code, reason: reason.toString() }),
      ),
    );
    socket.send(JSON.stringify({ event: 'whoami', data: {} }));
    expect(await closed).toEqual({ code: 1008, reason: 'The token was revoked (subject-revoked)' });

    const upgrade = await refusedUpgrade(token);
    expect(upgrade.status).toBe(401);
    const [bearer] = parseChallenges(upgrade.challenge);
    expect(bearer.params.error).toBe('insufficient_claims');
    expect(claimsRequest(bearer.params.claims).access_token.nbf.essential).toBe(true);
    const plain = await refusedUpgrade(await bobBefore());
    expect(parseChallenges(plain.challenge)[0].params).toMatchObject({
      error: 'invalid_token',
      error_description: 'The token was revoked (subject-revoked)',
    });
  });
});

describe('what a revoked token is answered at a socket.io handshake', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await gatewayAppOf(options(), [WhoAmIGateway], (a) => new OidcIoAdapter(a)));
  });

  afterAll(async () => {
    await app.close();
  });

  /** The `connect_error` data of a refused handshake. */
  function refusedHandshake(token: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const socket = io(url, {
        path: '/ws',
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
        auth: { token },
      });
      socket.once('connect', () => {
        socket.close();
        reject(new Error('the handshake was accepted'));
      });
      socket.once('connect_error', (err: Error & { data?: unknown }) => {
        socket.close();
        resolve(err.data);
      });
    });
  }

  it('passes the CAE claims challenge to a cp1 client, the event name to the others', async () => {
    await app.get(OidcRevocations).revokeSubject(idp.issuer, 'bob');
    const cp1 = (await refusedHandshake(await bobBefore({ xms_cc: ['cp1'] }))) as {
      error: string;
      claims: string;
    };
    expect(cp1).toMatchObject({ statusCode: 401, error: 'insufficient_claims' });
    expect(claimsRequest(cp1.claims).access_token.nbf.essential).toBe(true);
    expect(await refusedHandshake(await bobBefore())).toEqual({
      status: 'error',
      statusCode: 401,
      error: 'invalid_token',
      message: 'The token was revoked (subject-revoked)',
    });
  });
});
