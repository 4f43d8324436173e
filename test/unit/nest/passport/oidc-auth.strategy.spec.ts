import { strategyToken } from '../../../../lib/nest/passport/oidc-auth.strategy.js';

const TOKEN = 'aaa.bbb.ccc';
const withHeader = (authorization?: string | string[]) => ({ headers: { authorization } });

describe('strategyToken (the passport strategy’s token extraction)', () => {
  it('reads a Bearer header, whatever the case of the scheme', () => {
    expect(strategyToken(withHeader(`Bearer ${TOKEN}`))).toBe(TOKEN);
    expect(strategyToken(withHeader(`bearer ${TOKEN}`))).toBe(TOKEN);
  });

  it('finds nothing in a missing, foreign, malformed or repeated header, so passport answers 401', () => {
    expect(strategyToken({})).toBeNull();
    expect(strategyToken(withHeader(undefined))).toBeNull();
    expect(strategyToken(withHeader('Basic dXNlcjpwYXNz'))).toBeNull();
    expect(strategyToken(withHeader(`Bearer ${TOKEN} ${TOKEN}`))).toBeNull();
    expect(strategyToken(withHeader([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]))).toBeNull();
  });

  it('finds nothing in a token longer than 16 KiB: it is never decoded', () => {
    expect(strategyToken(withHeader(`Bearer ${'a'.repeat(16 * 1024)}`))).toHaveLength(16 * 1024);
    expect(strategyToken(withHeader(`Bearer ${'a'.repeat(16 * 1024 + 1)}`))).toBeNull();
  });
});
