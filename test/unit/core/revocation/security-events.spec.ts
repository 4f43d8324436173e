import { SecurityEventError } from '../../../../lib/protocol/errors/errors.js';
import { changesOf, REVOCATION_EVENTS } from '../../../../lib/core/revocation/security-events.js';

const IDP = 'https://idp.example';
const T = 1_800_000_000;
const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/';
const RISC = 'https://schemas.openid.net/secevent/risc/event-type/';
const bob = { format: 'iss_sub', iss: IDP, sub: 'bob' };
const target = { scope: 'subject', issuer: IDP, value: 'bob' };
const context = { subject: bob, time: T, tokenIssuers: [IDP], compareAuthTime: true };

describe('changesOf (CAEP and RISC events)', () => {
  it.each([
    [`${CAEP}session-revoked`, 'iat'],
    [`${CAEP}token-claims-change`, 'iat'],
    [`${CAEP}assurance-level-change`, 'iat'],
    [`${RISC}account-purged`, 'iat'],
    [`${RISC}sessions-revoked`, 'iat'],
    [`${CAEP}credential-change`, 'auth_time'],
    [`${RISC}credential-compromise`, 'auth_time'],
  ])('%s refuses older tokens by %s', (type, basis) => {
    const cause = REVOCATION_EVENTS[type as keyof typeof REVOCATION_EVENTS];
    expect(changesOf(type, {}, context)).toEqual([
      { action: 'revoke', target, notBefore: T, basis, cause },
    ]);
  });

  it('compares iat for credential events when compareAuthTime is off', () => {
    expect(
      changesOf(`${CAEP}credential-change`, {}, { ...context, compareAuthTime: false }),
    ).toEqual([expect.objectContaining({ basis: 'iat' })]);
  });

  it('disables and enables accounts', () => {
    expect(changesOf(`${RISC}account-disabled`, { reason: 'hijacking' }, context)).toEqual([
      { action: 'disable', target, at: T, cause: 'account-disabled' },
    ]);
    expect(changesOf(`${RISC}account-enabled`, {}, context)).toEqual([
      { action: 'enable', target, cause: 'account-enabled' },
    ]);
  });

  it('revokes a session for a session-revoked of a complex user + session', () => {
    const subject = { format: 'complex', user: bob, session: { format: 'opaque', id: 's1' } };
    expect(changesOf(`${CAEP}session-revoked`, {}, { ...context, subject })).toEqual([
      expect.objectContaining({ target: { scope: 'session', issuer: IDP, value: 's1' } }),
    ]);
  });

  it('changes nothing for a raised assurance level, and refuses a direction it does not know', () => {
    const type = `${CAEP}assurance-level-change`;
    expect(changesOf(type, { change_direction: 'increase' }, context)).toEqual([]);
    expect(changesOf(type, { change_direction: 'decrease' }, context)).toHaveLength(1);
    expect(() => changesOf(type, { change_direction: 'sideways' }, context)).toThrow(
      SecurityEventError,
    );
  });

  it('records when the SET was issued and the level an assurance-level-change gives the user now', () => {
    const type = `${CAEP}assurance-level-change`;
    const payload = {
      namespace: 'NIST-AAL',
      current_level: 'nist-aal1',
      previous_level: 'nist-aal2',
    };
    expect(changesOf(type, payload, { ...context, issuedAt: T + 2 })).toEqual([
      expect.objectContaining({ details: { issuedAt: T + 2, level: 'nist-aal1' } }),
    ]);
    expect(changesOf(`${RISC}account-disabled`, {}, { ...context, issuedAt: T + 2 })).toEqual([
      expect.objectContaining({ details: { issuedAt: T + 2 } }),
    ]);
    // A level is only read from the event that defines it.
    expect(
      changesOf(`${CAEP}session-revoked`, { current_level: 'x' }, { ...context, issuedAt: T }),
    ).toEqual([expect.objectContaining({ details: { issuedAt: T } })]);
  });

  it('ignores event types it does not act on, and subjects it cannot key', () => {
    expect(changesOf(`${CAEP}device-compliance-change`, {}, context)).toBeUndefined();
    expect(changesOf('toString', {}, context)).toBeUndefined();
    const phone = { format: 'phone_number', phone_number: '+1' };
    expect(changesOf(`${CAEP}session-revoked`, {}, { ...context, subject: phone })).toBeUndefined();
  });

  it('refuses a malformed subject of an event it acts on', () => {
    expect(() =>
      changesOf(`${CAEP}session-revoked`, {}, { ...context, subject: { format: 'iss_sub' } }),
    ).toThrow(SecurityEventError);
  });
});
