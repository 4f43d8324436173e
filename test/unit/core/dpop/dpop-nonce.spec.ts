import { DPoPNonces } from '../../../../lib/core/dpop/dpop-nonce.js';
import { OidcAuthConfigError } from '../../../../lib/core/config/config-error.js';

const SECRET = 'a shared secret of at least 32 bytes';

describe('DPoPNonces', () => {
  it('accepts its nonce for its window and the next, then no longer', () => {
    const nonces = new DPoPNonces(SECRET, 60);
    const t = 1_700_000_000_000;
    const nonce = nonces.issue(t);
    expect(nonce).toMatch(/^[\x21\x23-\x5b\x5d-\x7e]+$/);
    expect(nonces.accepts(nonce, t + 1_000)).toBe(true);
    expect(nonces.accepts(nonce, t + 60_000)).toBe(true);
    expect(nonces.accepts(nonce, t + 120_000)).toBe(false);
  });

  it("accepts another replica's nonce when they share the secret, not otherwise", () => {
    const t = 1_700_000_000_000;
    const a = new DPoPNonces(SECRET, 60);
    expect(new DPoPNonces(SECRET, 60).accepts(a.issue(t), t)).toBe(true);
    expect(new DPoPNonces(`${SECRET}!`, 60).accepts(a.issue(t), t)).toBe(false);
  });

  it('refuses anything it did not issue', () => {
    const nonces = new DPoPNonces(SECRET, 60);
    const t = 1_700_000_000_000;
    const nonce = nonces.issue(t);
    for (const other of [undefined, 7, '', `${nonce}x`, nonce.replace(/.$/, 'A')]) {
      expect(nonces.accepts(other, t)).toBe(other === nonce);
    }
  });

  it('refuses a short secret or lifetime at startup', () => {
    expect(() => new DPoPNonces('short')).toThrow(OidcAuthConfigError);
    expect(() => new DPoPNonces(SECRET, 0)).toThrow(OidcAuthConfigError);
  });
});
