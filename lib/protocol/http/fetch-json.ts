export interface FetchJsonOptions {
  /** Longest wait for the response (ms). */
  timeoutMs: number;
  /** Largest body accepted (bytes). */
  maxBytes: number;
}

/** A metadata or key-set endpoint could not be read. Never shown to clients; logged for operators. */
export class IssuerFetchError extends Error {
  constructor(
    readonly url: string,
    /** What went wrong, without the address: `HTTP 503`, `the body is not JSON` ... */
    readonly detail: string,
  ) {
    super(`Fetching ${url} failed: ${detail}`);
    this.name = 'IssuerFetchError';
  }
}

/** Reads a response body as UTF-8 text, refusing one longer than `maxBytes`. */
export async function readBounded(res: Response, url: string, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (declared > maxBytes) throw new IssuerFetchError(url, `the body exceeds ${maxBytes} bytes`);
  if (!res.body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw new IssuerFetchError(url, `the body exceeds ${maxBytes} bytes`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads a response body that must be one JSON object, at most `maxBytes` long. Throws
 * `IssuerFetchError` for an empty, oversized or non-JSON body, or JSON that is not an object.
 */
export async function readJsonObject(
  res: Response,
  url: string,
  maxBytes: number,
): Promise<Record<string, unknown>> {
  const text = await readBounded(res, url, maxBytes);
  if (text === '') throw new IssuerFetchError(url, 'the body is empty');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new IssuerFetchError(url, 'the body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new IssuerFetchError(url, 'the body is not a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/**
 * GETs a JSON object from an identity provider. Bounded in time and size, and redirects are not
 * followed: keys must come from the address the issuer's metadata names, not wherever it points.
 */
export async function fetchJson(
  url: string,
  options: FetchJsonOptions,
): Promise<Record<string, unknown>> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'manual', signal, headers: { accept: 'application/json' } });
  } catch (err) {
    const timedOut = signal.aborted;
    throw new IssuerFetchError(
      url,
      timedOut ? `no answer within ${options.timeoutMs} ms` : describeFetchFailure(err),
    );
  }
  try {
    if (res.status >= 300 && res.status < 400) {
      throw new IssuerFetchError(url, `redirect to ${res.headers.get('location')} not followed`);
    }
    if (res.status !== 200) throw new IssuerFetchError(url, `HTTP ${res.status}`);
    return await readJsonObject(res, url, options.maxBytes);
  } catch (err) {
    await res.body?.cancel().catch(() => undefined);
    if (err instanceof IssuerFetchError) throw err;
    throw new IssuerFetchError(
      url,
      signal.aborted ? `no answer within ${options.timeoutMs} ms` : describeFetchFailure(err),
    );
  }
}

/** The most telling part of a fetch failure: undici's cause code (ECONNREFUSED ...) if any. */
export function describeFetchFailure(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}
