/**
 * The HTML of each page: a shell that loads one script from /ui/assets. No
 * inline scripts or styles (the Content-Security-Policy forbids them, but for
 * styles with the response's nonce, which the page's meta gives its script);
 * the scripts read what they need from the URL and the API.
 */
import { html } from 'hono/html';

export type PageScript = 'run-page' | 'runs-page' | 'workflows-page' | 'editor-page' | 'credentials-page' | 'team-page';

/** Pages whose script imports a stylesheet of its own (built beside it as `<script>.css`). */
const OWN_STYLESHEET: ReadonlySet<PageScript> = new Set(['editor-page']);

interface ShellOptions {
  title: string;
  script?: PageScript;
  /** Show the sign-out button (the API needs a token). */
  signedIn: boolean;
  body?: ReturnType<typeof html>;
  /** This response's style nonce (Content-Security-Policy), for styles a script builds (the code editor's). */
  styleNonce?: string;
}

function shell({ title, script, signedIn, body, styleNonce }: ShellOptions) {
  return html`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${title} · Braid</title>
  ${styleNonce ? html`<meta name="style-nonce" content="${styleNonce}">` : ''}
  ${script && OWN_STYLESHEET.has(script) ? html`<link rel="stylesheet" href="/ui/assets/${script}.css">` : ''}
  <link rel="stylesheet" href="/ui/assets/style.css">
  ${script ? html`<script type="module" src="/ui/assets/${script}.js"></script>` : ''}
</head>
<body>
  <header class="top">
    <a class="brand" href="/runs">Braid</a>
    <nav><a href="/runs">Runs</a><a href="/workflows">Workflows</a><a href="/editor">Editor</a><a href="/credentials">Credentials</a><a href="/team">Team</a><a href="/docs">API</a></nav>
    ${script ? html`<label class="project">Project <select id="project-switcher" hidden></select></label>` : ''}
    ${signedIn ? html`<form method="post" action="/ui/logout" class="sign-out"><button type="submit">Sign out</button></form>` : ''}
  </header>
  <main id="app">${body ?? ''}</main>
</body>
</html>`;
}

export function appPage(title: string, script: PageScript, signedIn: boolean, styleNonce?: string) {
  return shell({ title, script, signedIn, body: html`<p class="loading">Loading…</p>`, ...(styleNonce ? { styleNonce } : {}) });
}

export function loginPage(next: string, problem?: string, oidc = false) {
  return shell({
    title: 'Sign in',
    signedIn: false,
    body: html`<form method="post" action="/ui/login" class="login">
  <h1>Sign in</h1>
  <p>This Braid API needs its token (<code>API_TOKEN</code>) or an API key. It is asked once; the session it starts lasts 12 hours.</p>
  ${problem ? html`<p class="problem" role="alert">${problem}</p>` : ''}
  <label>API token <input type="password" name="token" autocomplete="current-password" required autofocus></label>
  <input type="hidden" name="next" value="${next}">
  <button type="submit">Sign in</button>
  ${oidc ? html`<p><a href="/ui/oidc/login?next=${encodeURIComponent(next)}">Sign in with your organization's account (OpenID Connect)</a></p>` : ''}
</form>`,
  });
}
