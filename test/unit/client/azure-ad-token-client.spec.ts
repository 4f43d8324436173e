import { azureAdTokenClient } from '../../../lib/client/azure-ad-token-client.js';

const TENANT = '4d5c3b2a-1f0e-4a9b-8c7d-6e5f4a3b2c1d';
const API = '2b8f6c1e-7a3d-4e59-9c0b-5d4e3f2a1b0c';

describe('azureAdTokenClient preset', () => {
  it('uses the v2 token endpoint and the on-behalf-of flow', () => {
    expect(azureAdTokenClient({ tenantId: TENANT, clientId: API, clientSecret: 's' })).toEqual({
      tokenEndpoint: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`,
      clientId: API,
      clientSecret: 's',
      clientAssertion: undefined,
      exchange: 'on-behalf-of',
    });
  });

  it('takes a national cloud instance, with or without a trailing slash', () => {
    expect(
      azureAdTokenClient({
        tenantId: TENANT,
        clientId: API,
        instance: 'https://login.microsoftonline.us/',
      }).tokenEndpoint,
    ).toBe(`https://login.microsoftonline.us/${TENANT}/oauth2/v2.0/token`);
  });
});
