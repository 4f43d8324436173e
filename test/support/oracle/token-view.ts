/**
 * What a token says, read as leniently as possible and without any of the module's code, for the
 * stricter rules to recognise their cases and for failure reports.
 */
export interface TokenView {
  token: string;
  segments: string[];
  headerBytes?: Buffer;
  payloadBytes?: Buffer;
  header?: Record<string, unknown>;
  payload?: Record<string, unknown>;
}

function asObject(bytes: Buffer | undefined): Record<string, unknown> | undefined {
  if (!bytes) return undefined;
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function viewOf(token: string): TokenView {
  const segments = token.split('.');
  // Node's base64url decoder skips what it does not understand, which is what lenient means here.
  const headerBytes = segments.length === 3 ? Buffer.from(segments[0], 'base64url') : undefined;
  const payloadBytes = segments.length === 3 ? Buffer.from(segments[1], 'base64url') : undefined;
  return {
    token,
    segments,
    headerBytes,
    payloadBytes,
    header: asObject(headerBytes),
    payload: asObject(payloadBytes),
  };
}

/** For failure reports: the decoded texts, with invalid UTF-8 shown as U+FFFD. */
export function describeView(view: TokenView): string {
  return [
    `token:   ${view.token}`,
    `header:  ${view.headerBytes?.toString('utf8') ?? '(none)'}`,
    `payload: ${view.payloadBytes?.toString('utf8') ?? '(none)'}`,
  ].join('\n');
}
