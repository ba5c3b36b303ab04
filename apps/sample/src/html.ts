import type { AppUser } from './app-users';

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/**
 * A page of the sample: header (the signed-in user and Sign out), then `body`, which must already be
 * escaped. Styles are inline in a `<style>` element (allowed by helmet's default CSP: `style-src 'self'
 * https: 'unsafe-inline'`). No inline scripts (the CSP's `script-src 'self'` refuses them): `scripts`
 * are same-origin paths of scripts the sample serves, loaded with `defer`.
 */
export function page(title: string, body: string, user: AppUser | null = null, scripts: readonly string[] = []): string {
  const header = user
    ? `<header><span id="signed-in">Signed in as <strong>${escapeHtml(user.name)}</strong></span>
<form method="post" action="/sign-out" class="inline"><button type="submit" id="sign-out" class="link">Sign out</button></form></header>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1d2330;line-height:1.5}
header{display:flex;justify-content:space-between;align-items:center;border-bottom:1px solid #e5e7eb;padding-bottom:.5rem;margin-bottom:1rem}
.actions{display:flex;gap:.6rem;align-items:center;flex-wrap:wrap;margin:.8rem 0}.actions form{margin:0}
.button.secondary{background:#fff;color:#1d2330;border:1px solid #c7ccd6}
.button,button.primary,a.action{display:inline-block;padding:.55rem 1.1rem;background:#1463ff;color:#fff;border:0;border-radius:6px;text-decoration:none;font:inherit;cursor:pointer}
button.secondary{padding:.45rem .9rem;background:#fff;color:#1d2330;border:1px solid #c7ccd6;border-radius:6px;font:inherit;cursor:pointer}
button.link{background:none;border:0;color:#1463ff;font:inherit;cursor:pointer;padding:0}
form.inline{display:inline}.error{color:#b00020}.ok{color:#0a7d32}.notice{background:#fff7e0;border:1px solid #f0c36d;padding:.5rem .8rem;border-radius:6px}
.card{border:1px solid #e5e7eb;border-radius:8px;padding:1rem 1.2rem;margin:1rem 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{color:#6b7280}
table{border-collapse:collapse;width:100%}td,th{padding:.3rem .6rem;border-bottom:1px solid #e5e7eb;text-align:left}
.dev{border:2px dashed #9aa3b2;background:#f8fafc}.dev h2{margin-top:0;font-size:1.1rem}.dev .where{color:#6b7280;font-size:.85rem;word-break:break-all}.dev form{margin:.3rem 0}
nav.pages{display:flex;gap:1rem;align-items:center;margin:1rem 0}.muted{color:#6b7280}</style>
${scripts.map((src) => `<script src="${escapeHtml(src)}" defer></script>`).join('')}</head><body>${header}<main>${body}</main></body></html>`;
}
