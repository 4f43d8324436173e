import { entraClientCapabilities } from '../../../lib/providers/client-capabilities.js';
import { azureAdClaims } from '../../../lib/providers/azure-ad.js';
import { keycloakClaims } from '../../../lib/providers/keycloak.js';

describe('entraClientCapabilities', () => {
  it('reads the capabilities an Entra client declared (xms_cc), cp1 for CAE claims challenges', () => {
    expect(entraClientCapabilities({ xms_cc: ['cp1'] })).toEqual(['cp1']);
    expect(entraClientCapabilities({ xms_cc: ['cp1', 'cp2'] })).toEqual(['cp1', 'cp2']);
  });

  it('reads nothing out of an absent or ill-typed claim', () => {
    expect(entraClientCapabilities({})).toEqual([]);
    expect(entraClientCapabilities({ xms_cc: 7 })).toEqual([]);
    expect(entraClientCapabilities({ xms_cc: [1, null, ''] })).toEqual([]);
  });

  it("is what the Entra mapper reports, and no other provider's mapper reads xms_cc", () => {
    expect(azureAdClaims({ scp: 'Notes.Read', xms_cc: ['cp1'] }).clientCapabilities).toEqual([
      'cp1',
    ]);
    expect(keycloakClaims()({ xms_cc: ['cp1'] }).clientCapabilities).toBeUndefined();
  });
});
