import { type INestApplication } from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { azureAd } from '../../../lib/index.js';
import { decodePart, forge, hmacWithPublicKey } from '../../support/forge.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { appWith, PLATFORMS } from '../../support/test-app.js';
import { suiteFixture, suiteIssuer } from '../../support/suite-fixture.js';
import { trusted } from '../../support/trusted.js';

const now = () => Math.floor(Date.now() / 1000);
const b64 = (v: unknown) =>
  Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

describe.each(PLATFORMS)('adversarial tokens (HTTP on %s, local issuer)', (platform) => {
  const issuer = suiteIssuer();
  const app = suiteFixture(
    () => appWith({ issuers: trusted(issuer), clockToleranceSeconds: 30 }, platform),
    (a) => a.close(),
  );
  let attacker: Server;
  let attackerHits = 0;
  let attackerUrl: string;

  beforeAll(async () => {
    attacker = createServer((_req, res) => {
      attackerHits += 1;
      res.end(JSON.stringify({ keys: [] }));
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => attacker.close(() => resolve()));
  });

  const me = (token: string) =>
    request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);

  async function expectRefused(token: string, description?: RegExp) {
    const res = await me(token);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="api", error="invalid_token"/);
    if (description) expect(res.body.message).toMatch(description);
  }

  const claims = async (extra: Record<string, unknown> = {}) => ({
    ...decodePart(await issuer.mint(), 1),
    ...extra,
  });

  it('never follows jku or x5u, and does not use an embedded jwk', async () => {
    const evil = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const payload = await claims();
    for (const header of [
      { alg: 'RS256', kid: 'evil', jku: `${attackerUrl}/jwks` },
      { alg: 'RS256', kid: 'evil', x5u: `${attackerUrl}/cert.pem` },
      { alg: 'RS256', kid: 'evil', jwk: evil.publicKey.export({ format: 'jwk' }) },
      { alg: 'RS256', jwk: evil.publicKey.export({ format: 'jwk' }) },
    ]) {
      const input = `${b64(header)}.${b64(payload)}`;
      const token = `${input}.${sign('sha256', Buffer.from(input), evil.privateKey).toString('base64url')}`;
      await expectRefused(token);
    }
    expect(attackerHits).toBe(0);
  });

  it('refuses a known kid signed by an attacker key', async () => {
    const evil = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const input = `${b64({ alg: 'RS256', kid: issuer.currentKid })}.${b64(await claims({ sub: 'root' }))}`;
    await expectRefused(
      `${input}.${sign('sha256', Buffer.from(input), evil.privateKey).toString('base64url')}`,
      /signature/,
    );
  });

  it.each([
    ['path traversal', '../../../../etc/passwd'],
    ['SQL', "' OR '1'='1' --"],
    ['a very long kid', 'k'.repeat(8000)],
    ['unicode', 'ключ\u202e'],
  ])('refuses a kid with %s', async (_label, kid) => {
    await expectRefused(forge({ alg: 'RS256', kid }, await claims(), 'c2ln'), /does not publish/);
  });

  it('refuses RS512 on a key whose JWK says RS256, and HS256/HS384 with the public key', async () => {
    const payload = await claims();
    await expectRefused(issuer.signRaw({ alg: 'RS512' }, payload), /algorithm/);
    const jwk = issuer.jwks().keys[0];
    const pem = createPublicKey({ key: jwk as never, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString();
    for (const alg of ['HS256', 'HS384']) {
      for (const secret of [pem, JSON.stringify(jwk)]) {
        const forged = hmacWithPublicKey({ alg, kid: issuer.currentKid }, payload, secret);
        await expectRefused(forged, /algorithm/);
      }
    }
  });

  it('refuses b64:false and nested or encrypted tokens', async () => {
    const payload = await claims();
    await expectRefused(issuer.signRaw({ b64: false, crit: ['b64'] }, payload), /critical/);
    await expectRefused(issuer.signRaw({ b64: false }, payload), /critical/);
    await expectRefused(`${await issuer.mint()}.${'a'.repeat(10)}.b`, /Encrypted/);
    await expectRefused(
      issuer.signRaw({ cty: 'JWT' }, { ...payload, aud: undefined, nested: await issuer.mint() }),
      /audience/,
    );
  });

  it('refuses duplicate members in the header or the payload', async () => {
    const payload = await claims();
    const json = JSON.stringify(payload);
    const kid = issuer.currentKid;
    await expectRefused(
      issuer.signText(`{"alg":"RS256","kid":"${kid}","alg":"none"}`, json),
      /duplicate members/,
    );
    await expectRefused(
      issuer.signText(
        `{"alg":"RS256","kid":"${kid}"}`,
        `${json.slice(0, -1)},"aud":"api://other"}`,
      ),
      /duplicate members/,
    );
  });

  it('refuses invalid UTF-8 and control characters in the header', async () => {
    const payload = JSON.stringify(await claims());
    const kid = issuer.currentKid;
    await expectRefused(
      issuer.signText(
        Buffer.concat([
          Buffer.from(`{"alg":"RS256","kid":"${kid}","x":"`),
          Buffer.from([0xc3, 0x28]),
          Buffer.from('"}'),
        ]),
        payload,
      ),
      /UTF-8 JSON/,
    );
    await expectRefused(
      issuer.signText(`{"alg":"RS256","kid":"${kid}","x":"\u0001"}`, payload),
      /UTF-8 JSON/,
    );
  });

  it('refuses an ID token of the same issuer presented as an access token', async () => {
    const idToken = await issuer.mint({ aud: 'notes-spa', nonce: 'n' }, { header: { typ: 'JWT' } });
    await expectRefused(idToken, /audience/);
  });

  it.each([
    ['exp as a string', { exp: `${now() + 300}` }, /exp/],
    ['exp negative', { exp: -1 }, /exp claim is out of range/],
    ['exp beyond the Date range (was a 500 from GET /me)', { exp: 9e12 }, /out of range/],
    ['nbf as a string', { nbf: 'now' }, /nbf/],
    ['iat as a string', { iat: 'then' }, /iat/],
    ['iat far in the future', { iat: now() + 3600 }, /future/],
  ])('refuses %s', async (_label, change, description) => {
    await expectRefused(issuer.signRaw({}, await claims(change)), description);
  });

  it('accepts a fractional exp, a far-future exp and an aud array naming this API', async () => {
    for (const change of [
      { exp: now() + 300.5 },
      { exp: now() + 10 * 365 * 86400 },
      { aud: ['api://other', issuer.audience] },
    ]) {
      expect((await me(issuer.signRaw({}, await claims(change)))).status).toBe(200);
    }
  });

  it('refuses other spellings of a valid signature: padding, ~, the standard alphabet, spare bits', async () => {
    const token = await issuer.mint();
    const cut = token.lastIndexOf('.');
    const [input, signature] = [token.slice(0, cut), token.slice(cut + 1)];
    const bytes = Buffer.from(signature, 'base64url');
    // RS256: 256 bytes are 342 characters, the last one carrying 4 spare bits.
    const last = signature.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const spare = alphabet[alphabet.indexOf(last) | 1];
    for (const variant of [
      `${signature}==`,
      `${signature.slice(0, 100)}~${signature.slice(100)}`,
      bytes.toString('base64'),
      `${signature.slice(0, -1)}${spare}`,
    ]) {
      expect(Buffer.from(variant, 'base64url')).toEqual(bytes);
      await expectRefused(`${input}.${variant}`, /not base64url/);
    }
    expect((await me(token)).status).toBe(200);
  });

  it('accepts an ES256 token whose kid the JWKS also gives an RSA key (kid + type pick the key)', async () => {
    const shared = await LocalIssuer.start();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    shared.extraJwks = [
      { ...ec.publicKey.export({ format: 'jwk' }), kid: shared.currentKid, use: 'sig' },
    ];
    const sharedApp = await appWith({ issuers: trusted(shared) }, platform);
    try {
      const input = `${b64({ alg: 'ES256', kid: shared.currentKid })}.${b64(decodePart(await shared.mint(), 1))}`;
      const signature = sign('sha256', Buffer.from(input), {
        key: ec.privateKey,
        dsaEncoding: 'ieee-p1363',
      });
      for (const token of [`${input}.${signature.toString('base64url')}`, await shared.mint()]) {
        const res = await request(sharedApp.getHttpServer())
          .get('/me')
          .set('Authorization', `Bearer ${token}`);
        expect(res.status).toBe(200);
      }
    } finally {
      await sharedApp.close();
      await shared.close();
    }
  });

  it('refuses a string aud that names this API after a space: one string is one audience', async () => {
    await expectRefused(
      issuer.signRaw({}, await claims({ aud: `evil ${issuer.audience}` })),
      /audience/,
    );
  });

  it('honours the clock tolerance exactly at its edges', async () => {
    await expectRefused(await issuer.mint({ exp: now() - 32 }), /expired/);
    expect((await me(await issuer.mint({ exp: now() - 27 }))).status).toBe(200);
    await expectRefused(await issuer.mint({ nbf: now() + 32 }), /not valid yet/);
    expect((await me(await issuer.mint({ nbf: now() + 27 }))).status).toBe(200);
  });

  it('answers a token of tens of kilobytes with 401, and an oversized header before the app sees it', async () => {
    const big = await claims({ padding: 'x'.repeat(10_000) });
    await expectRefused(forge({ alg: 'RS256', kid: issuer.currentKid }, big, 'c2ln'), /signature/);
    // Signed by the issuer, a large token is still a valid one.
    expect((await me(issuer.signRaw({}, big))).status).toBe(200);
    const res = await me(`${'a'.repeat(40_000)}.b.c`);
    expect(res.status).toBe(431);
  });
});

describe('the ECDSA "psychic signature" (CVE-2022-21449)', () => {
  it('refuses an ES256 signature of zeros', async () => {
    const issuer = await LocalIssuer.start();
    await issuer.addKey({ alg: 'ES256', retire: true });
    const app = await appWith({ issuers: trusted(issuer) });
    const valid = await issuer.mint();
    expect(
      (await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${valid}`))
        .status,
    ).toBe(200);
    const zeros = `${valid.split('.').slice(0, 2).join('.')}.${Buffer.alloc(64).toString('base64url')}`;
    const res = await request(app.getHttpServer())
      .get('/me')
      .set('Authorization', `Bearer ${zeros}`);
    expect(res.status).toBe(401);
    await app.close();
    await issuer.close();
  });
});

describe('a JWKS that publishes an RSA key under 2048 bits', () => {
  it('refuses tokens signed with it', async () => {
    const issuer = await LocalIssuer.start();
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 });
    issuer.extraJwks = [{ ...weak.publicKey.export({ format: 'jwk' }), kid: 'weak', use: 'sig' }];
    const app = await appWith({ issuers: trusted(issuer) });
    const input = `${b64({ alg: 'RS256', kid: 'weak' })}.${b64(decodePart(await issuer.mint(), 1))}`;
    const token = `${input}.${sign('sha256', Buffer.from(input), weak.privateKey).toString('base64url')}`;
    const res = await request(app.getHttpServer())
      .get('/me')
      .set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/2048/);
    await app.close();
    await issuer.close();
  });
});

describe('Entra ID multi-tenant (preset against a local instance)', () => {
  const T1 = '11111111-1111-4111-8111-111111111111';
  const T2 = '22222222-2222-4222-8222-222222222222';
  const CLIENT = '6e74172b-be56-4843-9ff4-e66a39bb12e3';
  const issuer = suiteIssuer();
  let app: INestApplication;

  beforeAll(async () => {
    const instance = issuer.issuer;
    issuer.discoveryDocuments.set('/organizations/v2.0/.well-known/openid-configuration', {
      issuer: `${instance}/{tenantid}/v2.0`,
      jwks_uri: issuer.jwksUri,
    });
    issuer.discoveryDocuments.set('/organizations/.well-known/openid-configuration', {
      issuer: `${instance}/sts/{tenantid}/`,
      jwks_uri: issuer.jwksUri,
    });
    app = await appWith({
      issuers: [
        azureAd({
          tenantId: 'organizations',
          clientId: CLIENT,
          instance,
          v1Instance: `${instance}/sts`,
          allowedTenants: [T1],
        }),
      ],
    });
  });

  afterAll(async () => {
    await app.close();
  });

  const entra = (tenant: string, tid: string, extra: Record<string, unknown> = {}) =>
    issuer.mint({
      iss: `${issuer.issuer}/${tenant}/v2.0`,
      tid,
      aud: CLIENT,
      scp: 'Notes.Read',
      azp: 'spa',
      oid: 'o1',
      ...extra,
    });

  const me = (token: string) =>
    request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);

  it('accepts an allowed tenant, v2 and v1, with its audience forms', async () => {
    const res = await me(await entra(T1, T1));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tenantId: T1, scopes: ['Notes.Read'], clientId: 'spa' });
    const v1 = await issuer.mint({
      iss: `${issuer.issuer}/sts/${T1}/`,
      tid: T1,
      aud: `api://${CLIENT}`,
      appid: 'app',
      scp: 'x',
    });
    expect((await me(v1)).status).toBe(200);
  });

  it('refuses a tenant outside the allow-list', async () => {
    const res = await me(await entra(T2, T2));
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/tenant is not allowed/);
  });

  it('refuses an iss whose tenant differs from tid', async () => {
    const res = await me(await entra(T1, T2));
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/does not match its tenant/);
  });
});
