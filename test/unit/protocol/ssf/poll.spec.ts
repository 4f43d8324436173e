import {
  pollBodyOf,
  PollResponseError,
  pollResponseOf,
} from '../../../../lib/protocol/ssf/poll.js';

describe('pollBodyOf (RFC 8936 §2.4)', () => {
  it('asks for SETs, acknowledging and reporting what came before', () => {
    expect(
      pollBodyOf({
        ack: ['a', 'b'],
        setErrs: { c: { err: 'invalid_key', description: 'The SET signature is invalid' } },
        maxEvents: 10,
        returnImmediately: false,
      }),
    ).toEqual({
      ack: ['a', 'b'],
      setErrs: { c: { err: 'invalid_key', description: 'The SET signature is invalid' } },
      maxEvents: 10,
      returnImmediately: false,
    });
  });

  it('leaves out empty acknowledgements and errors', () => {
    expect(pollBodyOf({ ack: [], setErrs: {}, maxEvents: 0, returnImmediately: true })).toEqual({
      maxEvents: 0,
      returnImmediately: true,
    });
  });
});

describe('pollResponseOf (RFC 8936 §2.5)', () => {
  it('reads the SETs by jti and moreAvailable', () => {
    expect(pollResponseOf({ sets: { j1: 'a.b.c', j2: 'd.e.f' }, moreAvailable: true })).toEqual({
      sets: [
        { jti: 'j1', set: 'a.b.c' },
        { jti: 'j2', set: 'd.e.f' },
      ],
      moreAvailable: true,
    });
  });

  it('reads an answer with nothing to deliver', () => {
    expect(pollResponseOf({ sets: {} })).toEqual({ sets: [], moreAvailable: false });
    expect(pollResponseOf({})).toEqual({ sets: [], moreAvailable: false });
  });

  it('keeps an entry that is not a SET without it, to be refused by its jti', () => {
    expect(pollResponseOf({ sets: { j1: 42, j2: 'a.b.c' } }).sets).toEqual([
      { jti: 'j1' },
      { jti: 'j2', set: 'a.b.c' },
    ]);
  });

  it('takes moreAvailable as true only when it is true', () => {
    expect(pollResponseOf({ sets: {}, moreAvailable: 'yes' }).moreAvailable).toBe(false);
  });

  it.each([null, [], 'sets', { sets: [] }, { sets: 'a.b.c' }, { sets: null }])(
    'refuses %j',
    (json) => {
      expect(() => pollResponseOf(json)).toThrow(PollResponseError);
    },
  );
});
