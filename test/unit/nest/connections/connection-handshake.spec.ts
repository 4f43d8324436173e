import { jest } from '@jest/globals';
import { endOnExpiry } from '../../../../lib/nest/connections/connection-handshake.js';
import type { Authentication } from '../../../../lib/nest/transports/transport.js';
import type { OidcPrincipal } from '../../../../lib/core/claims/principal.js';

const authentication = (validUntil: number): Authentication => ({
  principal: {} as OidcPrincipal,
  token: 't',
  validUntil,
});

describe('endOnExpiry', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('ends the connection when the authentication runs out, not before', () => {
    const end = jest.fn();
    endOnExpiry(authentication(1_000_000 + 5_000), end);
    jest.advanceTimersByTime(4_999);
    expect(end).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1);
    expect(end).toHaveBeenCalledTimes(1);
  });

  it('ends an already expired connection at once', () => {
    const end = jest.fn();
    endOnExpiry(authentication(0), end);
    jest.advanceTimersByTime(0);
    expect(end).toHaveBeenCalledTimes(1);
  });

  it('does nothing once cancelled', () => {
    const end = jest.fn();
    endOnExpiry(authentication(1_000_000 + 5_000), end)();
    jest.advanceTimersByTime(10_000);
    expect(end).not.toHaveBeenCalled();
  });

  it('leaves lifetimes beyond the longest timer to the per-message check', () => {
    const end = jest.fn();
    endOnExpiry(authentication(1_000_000 + 2 ** 31), end);
    jest.advanceTimersByTime(2 ** 31 - 1);
    expect(end).not.toHaveBeenCalled();
  });
});
