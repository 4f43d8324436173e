import { createHash, randomBytes } from 'node:crypto';

export interface PkceLoginRequest extends Credentials {
  issuer: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  /** What a step-up challenge (RFC 9470) asked for, passed on to the provider as it is. */
  acrValues?: string;
  maxAge?: number;
}

export interface PkceLoginResult {
  accessToken: string;
  /** Present when `openid` was asked for; meant for the client, never for an API. */
  idToken?: string;
  /** What happened, one line per HTTP step, for humans. */
  transcript: string[];
  /**
   * Signs the user out at the provider (RP-initiated logout, "Yes, sign me out"), in the same
   * browser: its session ends, and with it, at every receiver of its security events, the
   * session's tokens.
   */
  signOut(): Promise<void>;
}

/** Just enough of a browser: follows redirects by hand and keeps the provider's cookies. */
class Browser {
  private readonly cookies = new Map<string, string>();

  constructor(readonly transcript: string[] = []) {}

  async request(url: string, init: RequestInit = {}, label = ''): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) {
      headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    }
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    const location = res.headers.get('location');
    const path = new URL(url).pathname;
    this.transcript.push(
      `${init.method ?? 'GET'} ${path}${label} -> ${res.status}${location ? ` ${new URL(location, url).pathname}` : ''}`,
    );
    return res;
  }
}

function base64url(bytes: Buffer): string {
  return bytes.toString('base64url');
}

/** Who signs in at the provider's login form. */
export interface Credentials {
  username: string;
  password: string;
  /** The second factor of a user who has one. */
  oneTimeCode?: string;
}

/**
 * What a user does in the browser with an authorization request: opens `authorizationUrl`, signs
 * in, allows the consent, and stops where the provider sends the browser back to the client
 * (`redirectUri`, not followed: it is the client's). Returns that URL, with its `code` or
 * `error`. Each HTTP step is added to `transcript`. Throws with the step that failed.
 */
export function authorizeInBrowser(
  authorizationUrl: string,
  redirectUri: string,
  credentials: Credentials,
  transcript: string[] = [],
): Promise<URL> {
  return authorizeWith(new Browser(transcript), authorizationUrl, redirectUri, credentials);
}

// In `browser`, which keeps the provider's session cookie: a sign-out later ends that session.
async function authorizeWith(
  browser: Browser,
  authorizationUrl: string,
  redirectUri: string,
  credentials: Credentials,
): Promise<URL> {
  let url = authorizationUrl;
  let res = await browser.request(url);
  for (let step = 0; step < 12; step += 1) {
    const location = res.headers.get('location');
    if (location) {
      url = new URL(location, url).href;
      if (url.startsWith(redirectUri)) return new URL(url);
      res = await browser.request(url);
      continue;
    }
    const page = await res.text();
    if (page.includes('name="password"')) {
      if (page.includes('role="alert"'))
        throw new Error(`Login failed for ${credentials.username}: wrong password or code`);
      res = await browser.request(
        url,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            username: credentials.username,
            password: credentials.password,
            ...(credentials.oneTimeCode && { otp: credentials.oneTimeCode }),
          }),
        },
        ` (login form as ${credentials.username})`,
      );
    } else if (page.includes('id="consent-allow"')) {
      res = await browser.request(url, { method: 'POST' }, ' (consent: Allow)');
    } else {
      throw new Error(`Unexpected page at ${new URL(url).pathname} (HTTP ${res.status})`);
    }
  }
  throw new Error('Authorization failed: the provider never sent the browser back');
}

/**
 * Authorization code + PKCE (RFC 7636, S256) exactly as a browser would run it: authorize, login
 * form, consent, redirect with the code (not followed: it is the app's), code exchange with the
 * verifier. Throws with the step that failed.
 */
export async function loginWithPkce(request: PkceLoginRequest): Promise<PkceLoginResult> {
  const browser = new Browser();
  const verifier = base64url(randomBytes(32));
  const challenge = base64url(createHash('sha256').update(verifier).digest());
  const state = base64url(randomBytes(16));
  const authorize = new URL(`${request.issuer}/auth`);
  authorize.search = new URLSearchParams({
    client_id: request.clientId,
    response_type: 'code',
    redirect_uri: request.redirectUri,
    scope: request.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...(request.acrValues && { acr_values: request.acrValues }),
    ...(request.maxAge !== undefined && { max_age: String(request.maxAge) }),
  }).toString();

  const back = await authorizeWith(browser, authorize.href, request.redirectUri, request);
  const params = back.searchParams;
  if (params.get('error')) {
    throw new Error(
      `Authorization failed: ${params.get('error')} ${params.get('error_description') ?? ''}`,
    );
  }
  if (params.get('state') !== state) throw new Error('Authorization failed: state mismatch');
  const code = params.get('code');
  if (!code) throw new Error('Authorization failed: no code came back');

  const tokenRes = await browser.request(
    `${request.issuer}/token`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: request.redirectUri,
        client_id: request.clientId,
        code_verifier: verifier,
      }),
    },
    ' (code + verifier)',
  );
  const json = (await tokenRes.json()) as {
    access_token?: string;
    id_token?: string;
    error?: string;
    error_description?: string;
  };
  if (!json.access_token) {
    throw new Error(
      `Code exchange failed: ${json.error ?? tokenRes.status} ${json.error_description ?? ''}`,
    );
  }
  return {
    accessToken: json.access_token,
    idToken: json.id_token,
    transcript: browser.transcript,
    signOut: () => signOut(browser, request, json.id_token),
  };
}

async function signOut(
  browser: Browser,
  request: PkceLoginRequest,
  idToken: string | undefined,
): Promise<void> {
  const end = new URL(`${request.issuer}/session/end`);
  end.search = new URLSearchParams({
    client_id: request.clientId,
    ...(idToken && { id_token_hint: idToken }),
  }).toString();
  const page = await (await browser.request(end.href)).text();
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)?.[1];
  const action = /action="([^"]+)"/.exec(page)?.[1];
  if (!xsrf || !action) throw new Error('Sign-out failed: no logout form');
  const res = await browser.request(
    new URL(action, request.issuer).href,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf, logout: 'yes' }),
    },
    ' (sign out: yes)',
  );
  await res.body?.cancel();
  if (res.status >= 400) throw new Error(`Sign-out failed: HTTP ${res.status}`);
}
