import { type INestApplication } from '@nestjs/common';
import request from 'supertest';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { appWith, PLATFORMS } from '../../support/test-app.js';

describe.each(PLATFORMS)('route policy (HTTP) on %s', (platform) => {
  let issuer: LocalIssuer;
  let app: INestApplication;

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
    app = await appWith(
      { issuers: [{ issuer: issuer.issuer, audience: issuer.audience }] },
      platform,
    );
  });

  afterAll(async () => {
    await app.close();
    await issuer.close();
  });

  async function call(
    method: 'get' | 'post' | 'delete',
    path: string,
    claims?: Record<string, unknown>,
  ) {
    const req = request(app.getHttpServer())[method](path);
    return claims
      ? await req.set('Authorization', `Bearer ${await issuer.mint(claims)}`)
      : await req;
  }

  it('serves @Public() routes without a token, and ignores none', async () => {
    expect((await call('get', '/health')).status).toBe(200);
    expect((await call('get', '/open')).status).toBe(200);
  });

  it('protects every route that is not marked public', async () => {
    expect((await call('get', '/notes')).status).toBe(401);
    expect((await call('get', '/reports')).status).toBe(401);
  });

  it('lets a handler opt out of its controller @Public() with @Public(false)', async () => {
    expect((await call('get', '/open/closed')).status).toBe(401);
    expect((await call('get', '/open/closed', {})).status).toBe(200);
  });

  it('requires the scope of @Scopes and answers 403 insufficient_scope naming it', async () => {
    expect((await call('get', '/notes', { scope: 'notes:read' })).status).toBe(200);
    const res = await call('post', '/notes', { scope: 'notes:read' });
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="This resource requires the scope notes:write", scope="notes:write"',
    );
    expect(res.body).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: 'This resource requires the scope notes:write',
    });
  });

  it('matches scopes exactly per item', async () => {
    expect((await call('post', '/notes', { scope: 'notes:writer notes:write:all' })).status).toBe(
      403,
    );
    expect((await call('post', '/notes', { scope: 'notes:writer notes:write' })).status).toBe(201);
    expect((await call('post', '/notes', { scp: ['notes:write'] })).status).toBe(201);
  });

  it('requires the role of @Roles', async () => {
    const res = await call('delete', '/notes/1', { roles: ['reader'] });
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
    expect(res.body.message).toBe('This resource requires the role admin');
    expect((await call('delete', '/notes/1', { roles: ['admin'] })).status).toBe(200);
  });

  it('accepts any one scope of @AnyScope', async () => {
    expect((await call('get', '/any', { scope: 'notes:admin' })).status).toBe(200);
    expect((await call('get', '/any', { scope: 'notes:read' })).status).toBe(200);
    const res = await call('get', '/any', { scope: 'other' });
    expect(res.status).toBe(403);
    // A scope list means all of them: the challenge names the first, preferred, alternative.
    expect(res.headers['www-authenticate']).toMatch(/scope="notes:read"/);
  });

  it('applies controller and handler @Scopes together', async () => {
    expect((await call('get', '/reports', { scope: 'reports:read' })).status).toBe(200);
    expect((await call('get', '/reports/export', { scope: 'reports:read' })).status).toBe(403);
    expect((await call('get', '/reports/export', { scope: 'reports:export' })).status).toBe(403);
    expect(
      (await call('get', '/reports/export', { scope: 'reports:read reports:export' })).status,
    ).toBe(200);
  });
});
