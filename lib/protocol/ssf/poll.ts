/** RFC 8936 §2.4 / RFC 8935 §2.3: why a polled SET was not accepted, as the transmitter is told. */
export interface SetError {
  err: string;
  description: string;
}

/** One poll request (RFC 8936 §2.4): acknowledgements and errors for what came before, and the ask. */
export interface PollRequest {
  /** `jti`s of the SETs received and processed since the last request. */
  ack: readonly string[];
  /** SETs refused since the last request, by `jti`. */
  setErrs: Readonly<Record<string, SetError>>;
  /** SETs wanted at most in the answer; 0 only acknowledges. */
  maxEvents: number;
  /** Answer at once even with no SET to deliver; false asks the transmitter to hold (long poll). */
  returnImmediately: boolean;
}

/** One SET of a poll answer, under its `jti`; `set` is absent when the value was not a string. */
export interface PolledSet {
  jti: string;
  set?: string;
}

export interface PollResponse {
  sets: readonly PolledSet[];
  /** More SETs are waiting: poll again without delay. */
  moreAvailable: boolean;
}

/** The request body. Members with nothing to say are left out. */
export function pollBodyOf(request: PollRequest): Record<string, unknown> {
  return {
    ...(request.ack.length > 0 && { ack: [...request.ack] }),
    ...(Object.keys(request.setErrs).length > 0 && { setErrs: { ...request.setErrs } }),
    maxEvents: request.maxEvents,
    returnImmediately: request.returnImmediately,
  };
}

/** A poll answer is not one (not an object, `sets` not an object of SETs). */
export class PollResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PollResponseError';
  }
}

/**
 * The answer read (RFC 8936 §2.5): `sets` maps each `jti` to a SET in compact form. An entry whose
 * value is not a string is kept without its SET, to be refused by its `jti` rather than silently
 * dropped (the transmitter would deliver it again and again). `moreAvailable` is false unless true.
 */
export function pollResponseOf(json: unknown): PollResponse {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new PollResponseError('The poll answer is not a JSON object');
  }
  const { sets, moreAvailable } = json as Record<string, unknown>;
  if (sets === undefined) return { sets: [], moreAvailable: moreAvailable === true };
  if (typeof sets !== 'object' || sets === null || Array.isArray(sets)) {
    throw new PollResponseError('The poll answer sets member is not a JSON object');
  }
  return {
    sets: Object.entries(sets as Record<string, unknown>).map(([jti, set]) =>
      typeof set === 'string' ? { jti, set } : { jti },
    ),
    moreAvailable: moreAvailable === true,
  };
}
