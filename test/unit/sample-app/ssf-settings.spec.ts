import { SettingsError } from '../../../sample-app/src/config/auth-settings.js';
import { revocationOf, ssfSettingsFrom } from '../../../sample-app/src/config/ssf-settings.js';

const TRANSMITTER = 'https://idp.example';

describe('sample app Shared Signals settings (OIDC_SSF_*)', () => {
  it('makes the embedded sample a push receiver of its own provider, with a new secret each start', () => {
    const first = ssfSettingsFrom({}, true)!;
    expect(first).toMatchObject({
      transmitter: undefined,
      audience: undefined,
      delivery: 'push',
      pushPath: '/ssf/events',
      access: { client: undefined, scopes: ['ssf'] },
    });
    expect(first.pushAuthorization).toMatch(/^Bearer [\w-]{32}$/);
    expect(ssfSettingsFrom({}, true)!.pushAuthorization).not.toBe(first.pushAuthorization);
  });

  it('is off in OIDC_ISSUER mode without OIDC_SSF_TRANSMITTER, and says so for its companions', () => {
    expect(ssfSettingsFrom({}, false)).toBeUndefined();
    expect(() => ssfSettingsFrom({ OIDC_SSF_DELIVERY: 'poll' }, false)).toThrow(
      'OIDC_SSF_DELIVERY needs OIDC_SSF_TRANSMITTER',
    );
  });

  it('reads a transmitter with a bearer token, poll delivery and an audience', () => {
    expect(
      ssfSettingsFrom(
        {
          OIDC_SSF_TRANSMITTER: TRANSMITTER,
          OIDC_SSF_DELIVERY: 'poll',
          OIDC_SSF_AUDIENCE: 'https://notes.example',
          OIDC_SSF_BEARER: 'stream-token',
        },
        false,
      ),
    ).toMatchObject({
      transmitter: TRANSMITTER,
      delivery: 'poll',
      audience: 'https://notes.example',
      access: { bearer: 'stream-token' },
    });
  });

  it('takes the introspection client for client-credentials tokens unless OIDC_SSF_CLIENT_* say otherwise', () => {
    const env = {
      OIDC_SSF_TRANSMITTER: TRANSMITTER,
      OIDC_INTROSPECTION_CLIENT_ID: 'notes-api',
      OIDC_INTROSPECTION_CLIENT_SECRET: 'secret',
    };
    expect(ssfSettingsFrom(env, false)!.access).toEqual({
      client: { clientId: 'notes-api', clientSecret: 'secret' },
      scopes: ['ssf'],
      resource: undefined,
    });
    expect(
      ssfSettingsFrom(
        {
          ...env,
          OIDC_SSF_CLIENT_ID: 'ssf-client',
          OIDC_SSF_CLIENT_SECRET: 's2',
          OIDC_SSF_SCOPES: 'ssf.read ssf.manage',
          OIDC_SSF_RESOURCE: 'https://idp.example/streams',
        },
        false,
      )!.access,
    ).toEqual({
      client: { clientId: 'ssf-client', clientSecret: 's2' },
      scopes: ['ssf.read', 'ssf.manage'],
      resource: 'https://idp.example/streams',
    });
  });

  it.each<[string, Record<string, string>, string]>([
    ['no way to a token', { OIDC_SSF_TRANSMITTER: TRANSMITTER }, 'OIDC_SSF_BEARER'],
    ['a transmitter that is no URL', { OIDC_SSF_TRANSMITTER: 'idp' }, 'OIDC_SSF_TRANSMITTER'],
    [
      'an unknown delivery',
      { OIDC_SSF_TRANSMITTER: TRANSMITTER, OIDC_SSF_BEARER: 't', OIDC_SSF_DELIVERY: 'mail' },
      'OIDC_SSF_DELIVERY must be push or poll',
    ],
    [
      'a relative push path',
      { OIDC_SSF_TRANSMITTER: TRANSMITTER, OIDC_SSF_BEARER: 't', OIDC_SSF_PUSH_PATH: 'ssf' },
      'OIDC_SSF_PUSH_PATH',
    ],
    [
      'a short push secret',
      {
        OIDC_SSF_TRANSMITTER: TRANSMITTER,
        OIDC_SSF_BEARER: 't',
        OIDC_SSF_PUSH_AUTHORIZATION: 'Bearer x',
      },
      'OIDC_SSF_PUSH_AUTHORIZATION',
    ],
  ])('stops the app on %s', (_what, env, message) => {
    expect(() => ssfSettingsFrom(env, false)).toThrow(SettingsError);
    expect(() => ssfSettingsFrom(env, false)).toThrow(message);
  });

  it('turns push settings into a managed push stream of the module', () => {
    const settings = ssfSettingsFrom(
      { OIDC_SSF_TRANSMITTER: TRANSMITTER, OIDC_SSF_BEARER: 'stream-token' },
      false,
    )!;
    const options = revocationOf(settings, {
      apiUrl: 'http://127.0.0.1:3000',
      transmitter: TRANSMITTER,
      tokenIssuer: 'https://tokens.example',
    });
    expect(options).toMatchObject({
      push: { path: '/ssf/events' },
      transmitters: [
        {
          issuer: TRANSMITTER,
          audience: 'http://127.0.0.1:3000',
          tokenIssuers: ['https://tokens.example'],
          pushAuthorization: settings.pushAuthorization,
          authorization: { bearer: 'stream-token' },
          stream: { delivery: 'push', pushEndpoint: 'http://127.0.0.1:3000/ssf/events' },
        },
      ],
    });
  });

  it('turns poll settings into a managed poll stream, with a TokenClient for its token', () => {
    const settings = ssfSettingsFrom({ OIDC_SSF_DELIVERY: 'poll' }, true)!;
    const options = revocationOf(settings, {
      apiUrl: 'http://127.0.0.1:3000',
      transmitter: 'http://127.0.0.1:4000',
      tokenIssuer: 'http://127.0.0.1:4000',
      client: { clientId: 'notes-api', clientSecret: 'secret' },
    });
    expect(options.push).toBeUndefined();
    const [transmitter] = options.transmitters!;
    expect(transmitter.pushAuthorization).toBeUndefined();
    expect(transmitter.stream).toEqual({
      delivery: 'poll',
      description: 'nest-oidc-auth sample notes API',
    });
    expect(transmitter.authorization).toMatchObject({
      scopes: ['ssf'],
      resource: 'http://127.0.0.1:4000/ssf',
      tokenClient: expect.objectContaining({ getAppToken: expect.any(Function) }),
    });
  });
});
