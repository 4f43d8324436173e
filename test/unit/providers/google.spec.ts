import { google, googleClaims } from '../../../lib/providers/google.js';

describe('Google', () => {
  const idToken = {
    iss: 'https://accounts.google.com',
    azp: '1234.apps.googleusercontent.com',
    aud: 'https://notes.example.com',
    sub: '110169484474386276334',
    email: 'alice@example.com',
    hd: 'example.com',
  };

  it('has no scopes or roles; service accounts are app-only', () => {
    expect(googleClaims(idToken)).toEqual({
      scopes: [],
      roles: [],
      clientId: idToken.azp,
      isAppOnly: false,
    });
    expect(
      googleClaims({ ...idToken, email: 'job@project.iam.gserviceaccount.com' }).isAppOnly,
    ).toBe(true);
  });

  it('restricts Workspace domains when asked', () => {
    const preset = google({ audience: idToken.aud, hostedDomains: ['example.com'] });
    expect(preset.validateClaims!(idToken)).toBeUndefined();
    expect(preset.validateClaims!({ ...idToken, hd: 'evil.com' })).toMatch(/domain/);
    expect(preset.validateClaims!({ ...idToken, hd: undefined })).toMatch(/domain/);
  });
});
