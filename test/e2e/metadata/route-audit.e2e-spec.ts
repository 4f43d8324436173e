import { Controller, Get, type Type, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  OidcAuthGuard,
  OidcAuthModule,
  type OidcAuthModuleOptions,
  policyOf,
} from '../../../lib/index.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { initApp, PLATFORMS, TEST_CONTROLLERS } from '../../support/test-app.js';
import { suiteIssuer } from '../../support/suite-fixture.js';
import { trusted } from '../../support/trusted.js';

@Controller('legacy')
class LegacyController {
  @UseGuards(OidcAuthGuard)
  @Get('guarded')
  guarded() {
    return {};
  }

  @Get('forgotten')
  forgotten() {
    return {};
  }
}

describe.each(PLATFORMS)('route policy audit (%s)', (platform) => {
  const issuer = suiteIssuer();

  async function boot(
    options: Partial<OidcAuthModuleOptions> & { globalGuard?: boolean },
    controllers: Type[] = TEST_CONTROLLERS,
  ) {
    const logger = new RecordingLogger();
    const ref = await Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: trusted(issuer),
          warmUp: false,
          ...options,
        }),
      ],
      controllers,
    }).compile();
    const app = await initApp(ref, platform, logger);
    return { app, logger };
  }

  it('describes every route with its effective policy', async () => {
    const { app, logger } = await boot({});
    expect(policyOf(app)).toEqual({
      'DELETE /notes/1': 'role admin',
      'GET /any': 'scope (notes:read | notes:admin)',
      'GET /health': 'public',
      'GET /me': 'authenticated',
      'GET /notes': 'scope notes:read',
      'GET /open': 'public',
      'GET /open/closed': 'authenticated',
      'GET /reports': 'scope reports:read',
      'GET /reports/export': 'scope reports:export & reports:read',
      'POST /notes': 'scope notes:write',
    });
    expect(logger.lines).toContain('log GET /notes -> scope notes:read');
    expect(logger.lines.filter((l) => l.startsWith('warn'))).toEqual([]);
    await app.close();
  });

  it('warns about routes nothing protects that are not marked @Public()', async () => {
    const { app, logger } = await boot({ globalGuard: false }, [LegacyController]);
    expect(policyOf(app)).toEqual({
      'GET /legacy/forgotten': 'unprotected',
      'GET /legacy/guarded': 'authenticated',
    });
    expect(logger.lines.filter((l) => l.startsWith('warn'))).toEqual([
      'warn GET /legacy/forgotten is reachable without a token but not marked @Public(): no OidcAuthGuard applies to it',
    ]);
    await app.close();
  });

  it('refuses to start with requirePolicy while a route names no scope or role', async () => {
    await expect(boot({ audit: { requirePolicy: true } })).rejects.toThrow(
      'OidcAuthModule: audit.requirePolicy is set, but these routes have no @Scopes, @Roles, @Policy or @Public: GET /me, GET /open/closed',
    );
  });

  it('can keep the bootstrap log quiet', async () => {
    const { app, logger } = await boot({ audit: { log: false } });
    expect(logger.lines.some((l) => l.includes(' -> '))).toBe(false);
    await app.close();
  });
});
