/**
 * One benchmark server, run in its own process so the load generator does not share its event
 * loop: `node server.js <route> <platform> <port> <issuer> <audience>`. Prints "ready" when
 * listening. With `BENCH_LOG_REFUSALS=1` the module's refusal warnings are logged, as in production.
 */
import {
  Controller,
  Get,
  Module,
  type DynamicModule,
  Injectable,
  type CanActivate,
  type ExecutionContext,
  type LogLevel,
  UnauthorizedException,
} from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { register } from 'node:module';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { passportJwtSecret } from 'jwks-rsa';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { OidcAuthModule, OidcRevocations } from '../lib/index.js';
import { BENCH_INTROSPECTION_CLIENT } from './introspection-endpoint.js';
import type { Platform, Route } from './scenarios.js';

// The revocation-100k routes: as many revoked users as the list holds by default.
const REVOKED_SUBJECTS = 100_000;

@Controller()
class HelloController {
  @Get('hello')
  hello() {
    return { hello: 'world' };
  }
}

/** What Nest's guard pipeline costs by itself: a global guard that lets everything through. */
@Injectable()
class NoopGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

/** The unavoidable work: one RS256 signature check per request, nothing else. */
@Injectable()
class RawVerifyGuard implements CanActivate {
  static key: KeyObject;
  canActivate(context: ExecutionContext): boolean {
    // args[0] is the request on both platforms; switchToHttp() would allocate three closures.
    const header = context.getArgByIndex<{ headers: Record<string, string> }>(0).headers
      .authorization;
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

/**
 * The unavoidable work of DPoP: two signature checks per request, the token's (RS256, the issuer's
 * key) and the proof's (ES256, the client's key, known in advance), nothing else.
 */
@Injectable()
class RawDpopGuard implements CanActivate {
  static tokenKey: KeyObject;
  static proofKey: KeyObject;
  canActivate(context: ExecutionContext): boolean {
    const { headers } = context.getArgByIndex<{ headers: Record<string, string> }>(0);
    const token = headers.authorization.slice(5);
    const proof = headers.dpop;
    const tokenDot = token.lastIndexOf('.');
    const proofDot = proof.lastIndexOf('.');
    const ok =
      verify(
        'sha256',
        Buffer.from(token.slice(0, tokenDot)),
        RawDpopGuard.tokenKey,
        Buffer.from(token.slice(tokenDot + 1), 'base64url'),
      ) &&
      verify(
        'sha256',
        Buffer.from(proof.slice(0, proofDot)),
        { key: RawDpopGuard.proofKey, dsaEncoding: 'ieee-p1363' },
        Buffer.from(proof.slice(proofDot + 1), 'base64url'),
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

function appModule(route: Route, issuer: string, audience: string): DynamicModule {
  const imports: DynamicModule[] = [];
  const providers = [];
  if (route.startsWith('guard-')) {
    imports.push(
      OidcAuthModule.forRoot({
        issuers: [{ issuer, audience }],
        cache: { enabled: process.env.BENCH_CACHE !== 'off' },
      }),
    );
  } else if (route.startsWith('revocation-')) {
    imports.push(OidcAuthModule.forRoot({ issuers: [{ issuer, audience }], revocation: {} }));
  } else if (route.startsWith('introspect')) {
    // Opaque tokens only reach the endpoint the bench runs (BENCH_INTROSPECTION_ENDPOINT).
    const endpoint = process.env.BENCH_INTROSPECTION_ENDPOINT;
    imports.push(
      OidcAuthModule.forRoot({
        issuers: [{ issuer, audience, introspection: { ...BENCH_INTROSPECTION_CLIENT, endpoint } }],
      }),
    );
  } else if (route.startsWith('tutorial')) {
    imports.push(tutorialModule(issuer, audience));
  } else if (route === 'noop-guard') {
    providers.push({ provide: APP_GUARD, useClass: NoopGuard });
  } else if (route === 'raw-verify') {
    providers.push({ provide: APP_GUARD, useClass: RawVerifyGuard });
  } else if (route === 'raw-dpop') {
    providers.push({ provide: APP_GUARD, useClass: RawDpopGuard });
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
  const [route, platform, port, issuer, audience] = process.argv.slice(2) as [
    Route,
    Platform,
    string,
    string,
    string,
  ];
  if (route === 'raw-verify' || route === 'raw-dpop') {
    const jwks = (await (await fetch(`${issuer}/jwks`)).json()) as { keys: object[] };
    RawVerifyGuard.key = createPublicKey({ key: jwks.keys[0] as never, format: 'jwk' });
    RawDpopGuard.tokenKey = RawVerifyGuard.key;
  }
  if (route === 'raw-dpop') {
    // The client's public key, from the parent that makes the proofs.
    const jwk = JSON.parse(process.env.BENCH_DPOP_JWK ?? '{}') as never;
    RawDpopGuard.proofKey = createPublicKey({ key: jwk, format: 'jwk' });
  }
  await setUpOpenTelemetry(process.env.BENCH_OTEL);
  const module = appModule(route, issuer, audience);
  const logger: LogLevel[] = process.env.BENCH_LOG_REFUSALS === '1' ? ['error', 'warn'] : ['error'];
  const app =
    platform === 'fastify'
      ? await NestFactory.create(module, new FastifyAdapter(), { logger })
      : await NestFactory.create(module, { logger });
  if (route.startsWith('revocation-100k')) {
    // Other users than the bench tokens': every request looks them up and finds none.
    const revocations = app.get(OidcRevocations);
    for (let i = 0; i < REVOKED_SUBJECTS; i += 1) {
      await revocations.revokeSubject(issuer, `revoked-user-${i}`);
    }
  }
  await app.listen(Number(port), '127.0.0.1');
  // A normal exit, so `node --cpu-prof server.js ...` writes its profile when the bench stops it.
  process.once('SIGTERM', () => process.exit(0));
  // `bench:memory` asks where the RSS is: MB committed per V8 heap space, and (after a full
  // garbage collection, which only this signal triggers) how much of the heap is live.
  process.on('SIGUSR2', () => {
    const committed = Object.fromEntries(
      getHeapSpaceStatistics().map((s) => [s.space_name, s.space_size / 2 ** 20]),
    );
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
    const { heapUsed, external } = process.memoryUsage();
    const stats = { ...committed, live: heapUsed / 2 ** 20, external: external / 2 ** 20 };
    process.stdout.write(`heap ${JSON.stringify(stats)}\n`);
  });
  process.stdout.write('ready\n');
}

void main();
