import { Controller, Get, type INestApplication, Post } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  AnyScope,
  OidcAuthEvents,
  OidcAuthModule,
  type OidcAuthModuleOptions,
  policyOf,
  ProtectedResource,
  Scopes,
} from '../../../lib/index.js';
import { LocalIssuer } from '../../../lib/testing/index.js';
import { parseChallenges } from '../../support/challenges.js';
import { initApp, PLATFORMS, type Platform } from '../../support/test-app.js';

const API = 'https://api.example.test';
const MCP = 'https://api.example.test/mcp';
const REPORTS = 'https://reports.example.test/v1';
const API_METADATA = `${API}/.well-known/oauth-protected-resource`;
const MCP_METADATA = 'https://api.example.test/.well-known/oauth-protected-resource/mcp';

@Controller('notes')
class NotesController {
  @Scopes('notes:read')
  @Get()
  list() {
    return [];
  }

  @Scopes('notes:write')
  @AnyScope('notes:admin', 'notes:owner')
  @Post()
  create() {
    return { id: 1 };
  }
}

// An MCP endpoint: one route, whose tools check their own scopes.
@ProtectedResource('mcp')
@Controller('mcp')
class McpController {
  @Post()
  call() {
    return { jsonrpc: '2.0' };
  }

  @Scopes('mcp:admin')
  @Get('admin')
  admin() {
    return { admin: true };
  }

  // The handler's own resource replaces its controller's.
  @ProtectedResource('reports')
  @Get('reports')
  reports() {
    return { reports: [] };
  }
}

@ProtectedResource('nowhere')
@Controller('lost')
class LostController {
  @Get()
  lost() {
    return {};
  }
}

async function start(
  platform: Platform,
  options: OidcAuthModuleOptions,
  controllers: unknown[] = [NotesController, McpController],
): Promise<INestApplication> {
  const ref = await Test.createTestingModule({
    imports: [OidcAuthModule.forRoot(options)],
    controllers: controllers as never[],
  }).compile();
  return initApp(ref, platform);
}

describe.each(PLATFORMS)('protected resources per route on %s', (platform) => {
  let issuer: LocalIssuer;
  let app: INestApplication;
  const reasons: string[] = [];
  const options = (): OidcAuthModuleOptions => ({
    issuers: [{ issuer: issuer.issuer, audience: [API, MCP, REPORTS, 'api://notes'] }],
    dpop: { mode: 'off' },
    protectedResource: { resource: API, resourceName: 'Notes' },
    protectedResources: {
      mcp: { resource: MCP, resourceName: 'Notes MCP', scopes: ['tools:call', 'tools:list'] },
      reports: { resource: REPORTS },
    },
  });
  const token = (aud: string | string[], scope = 'notes:read mcp:admin') =>
    issuer.mint({ aud, scope });
  const get = (path: string, bearer?: string) => {
    const call = request(app.getHttpServer()).get(path);
    return bearer ? call.set('Authorization', `Bearer ${bearer}`) : call;
  };
  const post = (path: string, bearer?: string) => {
    const call = request(app.getHttpServer()).post(path);
    return bearer ? call.set('Authorization', `Bearer ${bearer}`) : call;
  };

  beforeAll(async () => {
    issuer = await LocalIssuer.start();
    app = await start(platform, options());
    app.get(OidcAuthEvents).events$.subscribe((e) => e.reason && reasons.push(e.reason));
  });

  afterAll(async () => {
    await app.close();
    await issuer.close();
  });

  beforeEach(() => (reasons.length = 0));

  it('serves each resource its own RFC 9728 document, with the scopes of its own routes', async () => {
    const root = await get('/.well-known/oauth-protected-resource');
    expect(root.status).toBe(200);
    expect(root.body).toEqual({
      resource: API,
      authorization_servers: [issuer.issuer],
      scopes_supported: ['notes:admin', 'notes:owner', 'notes:read', 'notes:write'],
      bearer_methods_supported: ['header'],
      resource_name: 'Notes',
    });
    const mcp = await get('/.well-known/oauth-protected-resource/mcp');
    expect(mcp.body).toEqual({
      resource: MCP,
      authorization_servers: [issuer.issuer],
      scopes_supported: ['mcp:admin', 'tools:call', 'tools:list'],
      bearer_methods_supported: ['header'],
      resource_name: 'Notes MCP',
    });
    // RFC 9728 §3.1: the resource's path after the well-known prefix, whatever its host.
    const reports = await get('/.well-known/oauth-protected-resource/v1');
    expect(reports.body).toMatchObject({ resource: REPORTS, scopes_supported: [] });
  });

  it('opens each resource with a token for it', async () => {
    expect((await get('/notes', await token(API))).status).toBe(200);
    expect((await get('/notes', await token('api://notes'))).status).toBe(200);
    expect((await post('/mcp', await token(MCP))).status).toBe(201);
    expect((await get('/mcp/reports', await token(REPORTS))).status).toBe(200);
  });

  it('refuses a token for the MCP endpoint at the REST routes (confused deputy)', async () => {
    const res = await get('/notes', await token(MCP));
    expect(res.status).toBe(401);
    expect(res.body.message).toBe('The token is not meant for this resource (audience)');
    expect(reasons).toEqual(['resource_mismatch']);
    const [bearer] = parseChallenges(res.headers['www-authenticate']);
    expect(bearer.params).toMatchObject({
      error: 'invalid_token',
      scope: 'notes:read',
      resource_metadata: API_METADATA,
    });
  });

  it('refuses a token for the REST API at the MCP endpoint (confused deputy)', async () => {
    for (const aud of [API, 'api://notes', REPORTS]) {
      const res = await post('/mcp', await token(aud));
      expect(res.status).toBe(401);
      expect(parseChallenges(res.headers['www-authenticate'])[0].params).toMatchObject({
        error: 'invalid_token',
        scope: 'tools:call tools:list',
        resource_metadata: MCP_METADATA,
      });
    }
    expect(reasons).toEqual(['resource_mismatch', 'resource_mismatch', 'resource_mismatch']);
  });

  it('takes a token issued for several resources at each of them', async () => {
    const both = await token([API, MCP]);
    expect((await get('/notes', both)).status).toBe(200);
    expect((await post('/mcp', both)).status).toBe(201);
  });

  it('lets a handler’s @ProtectedResource replace its controller’s', async () => {
    expect((await get('/mcp/reports', await token(MCP))).status).toBe(401);
    expect((await get('/mcp/admin', await token(REPORTS))).status).toBe(401);
    expect((await get('/mcp/admin', await token(MCP))).status).toBe(200);
  });

  it('names the route’s scopes and its resource’s metadata on the 401 to a request without a token', async () => {
    const notes = await get('/notes');
    expect(notes.status).toBe(401);
    expect(notes.headers['www-authenticate']).toBe(
      `Bearer realm="api", scope="notes:read", resource_metadata="${API_METADATA}"`,
    );
    // @Scopes and the preferred (first) alternative of @AnyScope: a set that opens the route.
    expect(parseChallenges((await post('/notes')).headers['www-authenticate'])).toEqual([
      {
        scheme: 'Bearer',
        params: {
          realm: 'api',
          scope: 'notes:write notes:admin',
          resource_metadata: API_METADATA,
        },
      },
    ]);
    // The MCP endpoint's route requires no scope of its own: the scopes configured for it.
    expect((await post('/mcp')).headers['www-authenticate']).toBe(
      `Bearer realm="api", scope="tools:call tools:list", resource_metadata="${MCP_METADATA}"`,
    );
  });

  it('names every scope the route needs on 403 insufficient_scope', async () => {
    const res = await post('/notes', await token(API, 'notes:admin'));
    expect(res.status).toBe(403);
    expect(parseChallenges(res.headers['www-authenticate'])[0].params).toEqual({
      realm: 'api',
      error: 'insufficient_scope',
      error_description: 'This resource requires the scope notes:write',
      scope: 'notes:write notes:admin',
      resource_metadata: API_METADATA,
    });
    const mcp = await get('/mcp/admin', await token(MCP, 'tools:call'));
    expect(mcp.status).toBe(403);
    expect(parseChallenges(mcp.headers['www-authenticate'])[0].params).toMatchObject({
      scope: 'mcp:admin',
      resource_metadata: MCP_METADATA,
    });
  });

  it('shows a named resource in the route audit', () => {
    expect(policyOf(app)).toEqual({
      'GET /mcp/admin': 'resource mcp; scope mcp:admin',
      'GET /mcp/reports': 'resource reports',
      'POST /mcp': 'resource mcp',
      'GET /notes': 'scope notes:read',
      'POST /notes': 'scope notes:write & (notes:admin | notes:owner)',
    });
  });

  it('refuses to start while a route names a resource nobody defined', async () => {
    await expect(start(platform, options(), [NotesController, LostController])).rejects.toThrow(
      'OidcAuthModule: protectedResources has no resource nowhere, which @ProtectedResource on LostController',
    );
  });

  it('refuses to start while a resource’s own routes would refuse tokens for it', async () => {
    await expect(
      start(platform, {
        ...options(),
        protectedResources: { mcp: { resource: MCP, audience: 'api://mcp' } },
      }),
    ).rejects.toThrow(
      `OidcAuthModule: protectedResources.mcp.resource is ${MCP}, which is not among the audiences its routes accept (protectedResources.mcp.audience: api://mcp)`,
    );
  });
});
