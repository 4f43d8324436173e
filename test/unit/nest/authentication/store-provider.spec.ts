import {
  MemoryStore,
  OIDC_AUTH_OPTIONS,
  OIDC_AUTH_STORE,
  type OidcAuthModuleOptions,
  type OidcStore,
} from '../../../../lib/index.js';
import { storeProvider } from '../../../../lib/nest/authentication/token-verifier.provider.js';

const factory = (storeProvider as { useFactory: (options: OidcAuthModuleOptions) => OidcStore })
  .useFactory;

describe('the module store (OIDC_AUTH_STORE)', () => {
  it('is the configured store when one is given', () => {
    const store = new MemoryStore({ maxEntries: 5 });
    expect(factory({ issuers: [], store })).toBe(store);
  });

  it('is a MemoryStore of its own for each module instance otherwise', () => {
    const first = factory({ issuers: [] });
    expect(first).toBeInstanceOf(MemoryStore);
    expect(factory({ issuers: [] })).not.toBe(first);
  });

  it('is provided under its token, from the module options', () => {
    expect(storeProvider).toMatchObject({ provide: OIDC_AUTH_STORE, inject: [OIDC_AUTH_OPTIONS] });
  });
});
