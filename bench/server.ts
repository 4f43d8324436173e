/**
 * One benchmark server, run in its own process so the load generator does not share its event
 * loop: `node server.js <scenario> <port> <issuer> <audience>`. Prints "ready" when listening.
 */
import {
  Controller,
  Get,
  Module,
  type DynamicModule,
  Injectable,
  type CanActivate,
  type ExecutionContext,
  UnauthorizedException,
} from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { register } from 'node:module';
import { passportJwtSecret } from 'jwks-rsa';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { OidcAuthModule } from '../lib/index.js';
import type { Scenario } from './scenarios.js';

@Controller()
class HelloController {
  @Get('hello')
  hello() {
    return { hello: 'world' };
  }
}

/** The unavoidable work: one RS256 signature check per request, nothing else. */
@Injectable()
class RawVerifyGuard implements CanActivate {
  static key: KeyObject;
  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<{ headers: Record<string, string> }>()
      .headers.authorization;
    const token = header.slice(7);
    const dot = token.lastIndexOf('.');
    const ok = verify(
      'sha256',
      Buffer.from(token.slice(0, dot)),
      RawVerifyGuard.key,
      Buffer.from(token.slice(dot + 1), 'base64url'),
    );
    if (!ok) throw new UnauthorizedException();
    return true;
  }
}

/** What the NestJS docs and most tutorials set up: passport-jwt + jwks-rsa, a global AuthGuard. */
function tutorialModule(issuer: string, audience: string): DynamicModule {
  @Injectable()
  class JwtStrategy extends PassportStrategy(Strategy) {
    constructor() {
      super({
        secretOrKeyProvider: passportJwtSecret({
          cache: true,
          rateLimit: true,
          jwksRequestsPerMinute: 5,
          jwksUri: `${issuer}/jwks`,
        }),
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        audience,
        issuer,
        algorithms: ['RS256'],
      });
    }
    validate(payload: unknown) {
      return payload;
    }
  }
  @Module({
    imports: [PassportModule],
    providers: [JwtStrategy, { provide: APP_GUARD, useClass: AuthGuard('jwt') }],
  })
  class TutorialAuthModule {}
  return { module: TutorialAuthModule };
}

function appModule(scenario: Scenario, issuer: string, audience: string): DynamicModule {
  const imports: DynamicModule[] = [];
  const providers = [];
  if (scenario === 'guard-warm' || scenario === 'guard-cold') {
    imports.push(
      OidcAuthModule.forRoot({
        issuers: [{ issuer, audience }],
        cache: { enabled: process.env.BENCH_CACHE !== 'off' },
      }),
    );
  } else if (scenario.startsWith('tutorial')) {
    imports.push(tutorialModule(issuer, audience));
  } else if (scenario === 'raw-verify') {
    providers.push({ provide: APP_GUARD, useClass: RawVerifyGuard });
  }
  @Module({ imports, providers, controllers: [HelloController] })
  class BenchModule {}
  return { module: BenchModule };
}

/**
 * `BENCH_OTEL`: unset, `@opentelemetry/api` is installed (a dev dependency) with no provider;
 * `absent`, it cannot be resolved, as in an application without it; `sdk`, an SDK records every
 * instrument (exporting nothing), to see what the telemetry costs when it is on.
 */
async function setUpOpenTelemetry(mode: string | undefined): Promise<void> {
  if (mode === 'absent') {
    register(
      'data:text/javascript,' +
        encodeURIComponent(`export async function resolve(specifier, context, next) {
          if (specifier === '@opentelemetry/api') {
            throw Object.assign(new Error('blocked'), { code: 'ERR_MODULE_NOT_FOUND' });
          }
          return next(specifier, context);
        }`),
    );
  } else if (mode === 'sdk') {
    const { metrics, trace } = await import('@opentelemetry/api');
    const { MeterProvider } = await import('@opentelemetry/sdk-metrics');
    const { BasicTracerProvider } = await import('@opentelemetry/sdk-trace-base');
    metrics.setGlobalMeterProvider(new MeterProvider());
    trace.setGlobalTracerProvider(new BasicTracerProvider());
  }
}

async function main() {
  const [scenario, port, issuer, audience] = process.argv.slice(2) as [
    Scenario,
    string,
    string,
    string,
  ];
  if (scenario === 'raw-verify') {
    const jwks = (await (await fetch(`${issuer}/jwks`)).json()) as { keys: object[] };
    RawVerifyGuard.key = createPublicKey({ key: jwks.keys[0] as never, format: 'jwk' });
  }
  await setUpOpenTelemetry(process.env.BENCH_OTEL);
  const module = appModule(scenario, issuer, audience);
  const app =
    scenario === 'bare-fastify'
      ? await NestFactory.create(module, new FastifyAdapter(), { logger: ['error'] })
      : await NestFactory.create(module, { logger: ['error'] });
  await app.listen(Number(port), '127.0.0.1');
  // A normal exit, so `node --cpu-prof server.js ...` writes its profile when the bench stops it.
  process.once('SIGTERM', () => process.exit(0));
  process.stdout.write('ready\n');
}

void main();
