import { Test } from '@nestjs/testing';
import { APP_GUARD } from '@nestjs/core';
import {
  type IssuerOptions,
  OIDC_AUTH_GLOBAL_GUARD,
  OIDC_AUTH_OPTIONS,
  OidcAuthConfigError,
  OidcAuthModule,
} from '../../../../lib/index.js';

// A static key set: no fetch, so these modules compile without any issuer to talk to.
const issuers: IssuerOptions[] = [
  { issuer: 'https://idp.example.com', audience: 'api', jwks: { keys: [] }, algorithms: ['RS256'] },
];

async function compiled(module: ReturnType<typeof OidcAuthModule.forRoot>) {
  return Test.createTestingModule({ imports: [module] }).compile();
}

const provides = (module: ReturnType<typeof OidcAuthModule.forRoot>, token: unknown) =>
  (module.providers ?? []).some(
    (provider) =>
      typeof provider === 'object' && 'provide' in provider && provider.provide === token,
  );

describe('the module extras (globalGuard)', () => {
  it('are read beside the options in the one object forRoot takes, and kept out of the options', async () => {
    const module = OidcAuthModule.forRoot({ issuers, warmUp: false, globalGuard: false });
    expect(provides(module, APP_GUARD)).toBe(false);
    const ref = await compiled(module);
    expect(ref.get(OIDC_AUTH_GLOBAL_GUARD)).toBe(false);
    expect(ref.get(OIDC_AUTH_OPTIONS)).not.toHaveProperty('globalGuard');
    await ref.close();
    expect(provides(OidcAuthModule.forRoot({ issuers, warmUp: false }), APP_GUARD)).toBe(true);
  });

  it('refuse a second argument to forRoot, which Nest would ignore', () => {
    const call = () =>
      // @ts-expect-error -- one object, as for every ConfigurableModuleBuilder module
      OidcAuthModule.forRoot({ issuers, warmUp: false }, { globalGuard: false });
    expect(call).toThrow(OidcAuthConfigError);
    expect(call).toThrow(
      'OidcAuthModule: forRoot takes one object: put extras such as globalGuard beside the options',
    );
  });

  it('are read beside useFactory in forRootAsync', async () => {
    const ref = await compiled(
      OidcAuthModule.forRootAsync({
        useFactory: () => ({ issuers, warmUp: false }),
        globalGuard: false,
      }),
    );
    expect(ref.get(OIDC_AUTH_GLOBAL_GUARD)).toBe(false);
    await ref.close();
  });

  it('stop the application when they come back from the factory, where Nest would drop them', async () => {
    await expect(
      compiled(
        OidcAuthModule.forRootAsync({
          useFactory: () => ({ issuers, warmUp: false, globalGuard: false }),
        }),
      ),
    ).rejects.toThrow(
      'OidcAuthModule: globalGuard is a module extra: give it to forRootAsync beside useFactory',
    );
  });
});
