import { jest } from '@jest/globals';
import { ConsoleLogger, Logger } from '@nestjs/common';
import {
  OidcAuthEvents,
  type AuthEvent,
} from '../../../../lib/nest/observability/oidc-auth.events.js';
import type { OidcAuthModuleOptions } from '../../../../lib/nest/options/oidc-auth.options.js';
import { OidcAuthenticator } from '../../../../lib/nest/authentication/oidc-authenticator.js';
import { InvalidTokenError, MissingTokenError } from '../../../../lib/protocol/errors/errors.js';
import type { TokenVerifier } from '../../../../lib/core/jwt/token-verifier.js';
import { RecordingLogger } from '../../../support/recording-logger.js';

const START = Date.UTC(2026, 0, 1, 12, 0, 1);

function authenticator(options: Partial<OidcAuthModuleOptions> = {}) {
  const events = new OidcAuthEvents();
  const seen: AuthEvent[] = [];
  events.events$.subscribe((e) => seen.push(e));
  const auth = new OidcAuthenticator({} as TokenVerifier, events, { issuers: [], ...options });
  return { auth, seen };
}

const badSignature = () => new InvalidTokenError('signature_invalid', 'The signature is invalid');

describe('OidcAuthenticator refusal logging', () => {
  let logger: RecordingLogger;

  beforeEach(() => {
    jest.useFakeTimers({ now: START });
    logger = new RecordingLogger();
    Logger.overrideLogger(logger);
  });

  afterEach(() => {
    Logger.overrideLogger(new ConsoleLogger());
    jest.useRealTimers();
  });

  it('writes one line per reason per 10 s by default, and still emits every event', () => {
    const { auth, seen } = authenticator();
    for (let i = 0; i < 1000; i++) {
      auth.refused('http', 'GET /notes', badSignature(), undefined);
      jest.advanceTimersByTime(1);
    }
    auth.refused('http', 'GET /notes', new MissingTokenError(), undefined);
    expect(logger.lines).toEqual([
      'warn Refused GET /notes with 401: signature_invalid',
      'warn Refused GET /notes with 401: missing_token',
    ]);
    expect(seen).toHaveLength(1001);
    expect(seen.filter((e) => e.reason === 'signature_invalid')).toHaveLength(1000);

    jest.setSystemTime(START + 10_000);
    auth.refused('http', 'GET /me', badSignature(), undefined);
    expect(logger.lines[2]).toBe(
      'warn Refused GET /me with 401: signature_invalid (and 999 more since 12:00:01 UTC)',
    );
    expect(seen).toHaveLength(1002);
  });

  it('takes the interval from refusalLogIntervalMs; 0 logs every refusal', () => {
    const every = authenticator({ refusalLogIntervalMs: 0 }).auth;
    for (let i = 0; i < 3; i++) every.refused('http', 'GET /notes', badSignature(), undefined);
    expect(logger.lines).toHaveLength(3);

    const minute = authenticator({ refusalLogIntervalMs: 60_000 }).auth;
    minute.refused('http', 'GET /notes', badSignature(), undefined);
    jest.setSystemTime(START + 30_000);
    minute.refused('http', 'GET /notes', badSignature(), undefined);
    expect(logger.lines).toHaveLength(4);
    jest.setSystemTime(START + 60_000);
    minute.refused('http', 'GET /notes', badSignature(), undefined);
    expect(logger.lines[4]).toMatch(/signature_invalid \(and 1 more since 12:00:01 UTC\)$/);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses to start with refusalLogIntervalMs %p',
    (refusalLogIntervalMs) => {
      expect(() => authenticator({ refusalLogIntervalMs })).toThrow(
        'OidcAuthModule: refusalLogIntervalMs must be a number of milliseconds >= 0',
      );
    },
  );
});
