import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { checkSignIn } from './accounts.js';
import { consentPage, errorPage, loginPage } from './pages.js';

const MAX_FORM_BYTES = 8 * 1024;

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new Error('The form is too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function html(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(body);
}

/**
 * The login and consent screens oidc-provider sends the browser to (`/interaction/:uid`): a plain
 * form for the demo users, then a one-button consent that grants what the client asked for.
 */
export async function handleInteraction(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  try {
    const details = await provider.interactionDetails(req, res);
    const { uid, prompt, params } = details;
    const clientId = String(params.client_id);
    const action = `/interaction/${uid}`;
    if (req.method === 'GET') {
      if (prompt.name === 'login') return html(res, 200, loginPage(action, clientId));
      const requested = [...String(params.scope ?? '').split(' ')].filter(Boolean);
      return html(res, 200, consentPage(action, clientId, requested));
    }
    if (req.method !== 'POST') return html(res, 405, errorPage('Method not allowed'));
    if (prompt.name === 'login') {
      const form = await readForm(req);
      const signIn = checkSignIn(form.get('username'), form.get('password'), form.get('otp'));
      if (!signIn) {
        return html(res, 200, loginPage(action, clientId, 'Wrong user name, password or code'));
      }
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: signIn.user.username, acr: signIn.acr, amr: signIn.amr } },
        {
          mergeWithLastSubmission: false,
        },
      );
      return;
    }
    const accountId = details.session?.accountId;
    if (!accountId) return html(res, 400, errorPage('No signed-in user for this consent'));
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId, clientId });
    if (!grant) return html(res, 400, errorPage('The grant has expired; start again'));
    const missing = prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { consent: { grantId } },
      { mergeWithLastSubmission: true },
    );
  } catch (err) {
    if (!res.headersSent) {
      html(
        res,
        400,
        errorPage(err instanceof Error ? err.message : 'The sign-in could not continue'),
      );
    }
  }
}
