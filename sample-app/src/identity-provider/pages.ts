const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem}
label,input,button{display:block;width:100%;margin:.4rem 0}input,button{padding:.5rem;font-size:1rem}
.error{color:#b00020}.hint{color:#555;font-size:.9rem}</style></head>
<body>${body}</body></html>`;
}

export function loginPage(action: string, clientId: string, error?: string): string {
  return page(
    'Sign in',
    `<h1>Sign in</h1>
<p class="hint">to <strong>${escapeHtml(clientId)}</strong> at the development identity provider</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">
<label for="username">User name</label><input id="username" name="username" autocomplete="username" autofocus required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<label for="otp">One-time code (users with a second factor)</label><input id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code">
<button id="login-submit" type="submit">Sign in</button>
</form>
<p class="hint">Demo users: alice / alice (admin), bob / bob, carol / carol with code 123456 (multi-factor)</p>`,
  );
}

export function consentPage(action: string, clientId: string, scopes: string[]): string {
  return page(
    'Allow access',
    `<h1>Allow access</h1>
<p><strong>${escapeHtml(clientId)}</strong> asks for:</p>
<ul>${scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul>
<form method="post" action="${escapeHtml(action)}"><button id="consent-allow" type="submit">Allow</button></form>`,
  );
}

export function errorPage(message: string): string {
  return page('Error', `<h1>Something went wrong</h1><p class="error">${escapeHtml(message)}</p>`);
}
