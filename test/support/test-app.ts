import {
  Controller,
  Delete,
  Get,
  type INestApplication,
  type LoggerService,
  type ModuleMetadata,
  Post,
} from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  AnyScope,
  auth0,
  OidcAuthModule,
  type OidcAuthModuleOptions,
  OidcPrincipal,
  Principal,
  Public,
  Roles,
  Scopes,
} from '../../lib/index.js';
import { type LocalIssuer, useLocalIssuer } from '../../lib/testing/index.js';

@Controller()
export class NotesController {
  @Public()
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Get('me')
  me(@Principal() principal: OidcPrincipal) {
    return principal;
  }

  @Scopes('notes:read')
  @Get('notes')
  list() {
    return [];
  }

  @Scopes('notes:write')
  @Post('notes')
  create() {
    return { id: 1 };
  }

  @Roles('admin')
  @Delete('notes/1')
  remove() {
    return { deleted: true };
  }

  @AnyScope('notes:read', 'notes:admin')
  @Get('any')
  any() {
    return { ok: true };
  }
}

@Scopes('reports:read')
@Controller('reports')
export class ReportsController {
  @Get()
  list() {
    return [];
  }

  @Scopes('reports:export')
  @Get('export')
  export() {
    return [];
  }
}

@Public()
@Controller('open')
export class OpenController {
  @Get()
  open() {
    return { open: true };
  }

  @Public(false)
  @Get('closed')
  closed() {
    return { open: false };
  }
}

export const TEST_CONTROLLERS = [NotesController, ReportsController, OpenController];

/** The HTTP platforms the HTTP suites run on, each suite once per platform. */
export const PLATFORMS = ['express', 'fastify'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** An initialised application of `ref` on `platform`, ready for supertest. */
export async function initApp(
  ref: TestingModule,
  platform: Platform,
  logger: LoggerService | false = false,
): Promise<INestApplication> {
  const app =
    platform === 'fastify'
      ? ref.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger })
      : ref.createNestApplication({ logger });
  await app.init();
  if (platform === 'fastify')
    await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  return app;
}

/** The test controllers behind the module configured with `options`, compiled. */
export function testControllersModule(options: OidcAuthModuleOptions): Promise<TestingModule> {
  return Test.createTestingModule({
    imports: [OidcAuthModule.forRoot(options)],
    controllers: TEST_CONTROLLERS,
  }).compile();
}

/** A Nest application of `module` and the test controllers (with `extra`), ready for supertest. */
export async function createTestApp(
  module: NonNullable<ModuleMetadata['imports']>[number],
  extra: ModuleMetadata = {},
  platform: Platform = 'express',
): Promise<INestApplication> {
  const ref = await Test.createTestingModule({
    imports: [module, ...(extra.imports ?? [])],
    controllers: [...TEST_CONTROLLERS, ...(extra.controllers ?? [])],
    providers: extra.providers ?? [],
  }).compile();
  return initApp(ref, platform);
}

export function appWith(
  options: OidcAuthModuleOptions,
  platform: Platform = 'express',
): Promise<INestApplication> {
  return createTestApp(OidcAuthModule.forRoot(options), {}, platform);
}

/** `appWith` bound to one platform, for the body of a `describe.each(PLATFORMS)`. */
export function appsOn(
  platform: Platform,
): (options: OidcAuthModuleOptions) => Promise<INestApplication> {
  return (options) => appWith(options, platform);
}

/**
 * The test controllers on `platform` in an application configured for an Auth0 tenant, which
 * `useLocalIssuer` makes trust `issuer` instead: the testing kit's way, as its README shows it.
 */
export async function auth0AppOnLocalIssuer(
  issuer: LocalIssuer,
  audience: string,
  platform: Platform,
): Promise<INestApplication> {
  const moduleRef = await useLocalIssuer(
    Test.createTestingModule({
      imports: [
        OidcAuthModule.forRoot({
          issuers: [auth0({ domain: 'tenant.example.invalid', audience })],
        }),
      ],
      controllers: TEST_CONTROLLERS,
    }),
    issuer,
  ).compile();
  return initApp(moduleRef, platform);
}
