import { RefusalLogLimiter } from '../../../../lib/nest/observability/refusal-log-limiter.js';

// 2026-01-01T12:00:01Z
const START = Date.UTC(2026, 0, 1, 12, 0, 1);

function limiter(intervalMs = 10_000) {
  const clock = { now: START };
  return { clock, limiter: new RefusalLogLimiter(intervalMs, () => clock.now) };
}

describe('RefusalLogLimiter', () => {
  it('admits the first refusal of a reason at once, with nothing appended', () => {
    const { limiter: l } = limiter();
    expect(l.admit('signature_invalid')).toBe('');
  });

  it('holds back the rest of the interval and reports their count in the next line', () => {
    const { clock, limiter: l } = limiter();
    l.admit('signature_invalid');
    for (let i = 0; i < 999; i++) {
      clock.now = START + i * 10;
      expect(l.admit('signature_invalid')).toBeUndefined();
    }
    clock.now = START + 10_000;
    expect(l.admit('signature_invalid')).toBe(' (and 999 more since 12:00:01 UTC)');
    clock.now = START + 10_001;
    expect(l.admit('signature_invalid')).toBeUndefined();
  });

  it('appends nothing when no refusal was held back', () => {
    const { clock, limiter: l } = limiter();
    l.admit('token_expired');
    clock.now = START + 60_000;
    expect(l.admit('token_expired')).toBe('');
  });

  it('keeps one window per reason', () => {
    const { clock, limiter: l } = limiter();
    expect(l.admit('signature_invalid')).toBe('');
    expect(l.admit('token_expired')).toBe('');
    expect(l.admit('signature_invalid')).toBeUndefined();
    expect(l.admit('missing_token')).toBe('');
    clock.now = START + 10_000;
    expect(l.admit('token_expired')).toBe('');
    expect(l.admit('signature_invalid')).toBe(' (and 1 more since 12:00:01 UTC)');
  });

  it('starts a new window when the clock is set back, rather than staying silent', () => {
    const { clock, limiter: l } = limiter();
    l.admit('unknown_kid');
    expect(l.admit('unknown_kid')).toBeUndefined();
    clock.now = START - 3_600_000;
    expect(l.admit('unknown_kid')).toBe(' (and 1 more since 12:00:01 UTC)');
    expect(l.admit('unknown_kid')).toBeUndefined();
  });

  it('admits every refusal when the interval is 0', () => {
    const { limiter: l } = limiter(0);
    for (let i = 0; i < 5; i++) expect(l.admit('signature_invalid')).toBe('');
  });

  it('keeps a window per key of any kind: one issuer cannot silence another', () => {
    const clock = { now: START };
    const byIssuer = new RefusalLogLimiter<string>(10_000, () => clock.now);
    expect(byIssuer.admit('https://a.example')).toBe('');
    expect(byIssuer.admit('https://b.example')).toBe('');
    expect(byIssuer.admit('https://a.example')).toBeUndefined();
  });
});
