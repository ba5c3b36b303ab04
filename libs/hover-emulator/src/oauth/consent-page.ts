import { escapeHtml } from '../http/html-escape';
import { EMULATOR_SIGN_IN_PATH, INTEGRATIONS_UNAVAILABLE_MESSAGE } from '../hover-emulator.constants';
import { HoverEmulatorUser } from '../hover-emulator-user.interface';
import { ClientRecord, OrgRecord, UserRecord } from '../store/emulator-records.interface';

/** Authorization-request parameters carried from the consent page to `POST /oauth/authorize`. */
export const CARRIED_PARAMS = ['response_type', 'client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method'] as const;

/** Shown at the top of every page, so nobody mistakes the emulator for hover.to. */
const BANNER_TEXT = 'Local Hover emulator — not hover.to. No real Hover account is used.';

/** Who the page is shown to and for which client. */
export interface ConsentPageModel {
  client: ClientRecord;
  user: UserRecord;
  org: OrgRecord;
  /** The authorization request's parameters; only `CARRIED_PARAMS` are echoed, all HTML-escaped. */
  params: Record<string, string | undefined>;
  /** Everyone the "Not you?" form offers (see `EmulatorStore.listUsers`). */
  users: HoverEmulatorUser[];
  /** `'browser'`: `user` comes from this browser's emulator cookie; `'default'`: from `setSignedInUser`. */
  signedInBy: 'browser' | 'default';
}

/**
 * Renders Hover's consent page: "Authorize <client> to use your Hover account?" with the signed-in
 * user and org, what access is granted, two forms POSTing to `/oauth/authorize` — Allow
 * (`decision=allow`) and Deny (`decision=deny`) — each carrying the request parameters as hidden
 * inputs, and the emulator's "Not you?" form (see `renderSwitchUserForm`).
 */
export function renderConsentPage(model: ConsentPageModel): string {
  const hidden = hiddenInputs(model.params);
  return layout(
    'Authorize application',
    `${clientHeader(model.client)}
    ${whoAmI(model.user, model.org, model.signedInBy)}
    <section class="grants" aria-labelledby="grants-title">
      <p id="grants-title">This application will be able to access, for ${escapeHtml(model.org.name)}:</p>
      <ul id="access-granted">
        <li>your organization's jobs, 3D models and measurements</li>
        <li>your profile and your organization's plan</li>
      </ul>
      <p class="muted">Scope <code>all</code>: an organization-level token.</p>
    </section>
    <form method="post" action="/oauth/authorize" id="allow-form">
${hidden}
      <button type="submit" name="decision" value="allow">Allow</button>
    </form>
    <form method="post" action="/oauth/authorize" id="deny-form">
${hidden}
      <button type="submit" name="decision" value="deny">Deny</button>
    </form>
    ${renderSwitchUserForm(model)}`,
  );
}

/**
 * Renders the dead end shown when the org's plan lacks integrations and the fault
 * `consentWithoutIntegrations` is `'block'`: Hover's message, no Allow button, no redirect; the
 * "Not you?" form still lets the browser switch to a user whose org has integrations.
 */
export function renderIntegrationsUnavailablePage(model: ConsentPageModel): string {
  return layout(
    'Integrations unavailable',
    `${clientHeader(model.client)}
    ${whoAmI(model.user, model.org, model.signedInBy)}
    <p class="error" id="integrations-unavailable">${escapeHtml(INTEGRATIONS_UNAVAILABLE_MESSAGE)}</p>
    ${renderSwitchUserForm(model)}`,
  );
}

/**
 * Renders Doorkeeper's authorization error page, used when the request cannot be trusted enough to
 * redirect (unknown client, unregistered redirect URI).
 */
export function renderErrorPage(error: string, description: string): string {
  return layout(
    'An error has occurred',
    `<h1>An error has occurred</h1>
    <p class="error" id="oauth-error" data-error="${escapeHtml(error)}">${escapeHtml(description)}</p>`,
  );
}

/**
 * The emulator-only "Not you? Sign in to Hover as: [user] [Switch]" form: POSTs `user_id` and the
 * request parameters to `EMULATOR_SIGN_IN_PATH`, which sets this browser's user cookie and comes back
 * to the same authorization request.
 */
function renderSwitchUserForm(model: ConsentPageModel): string {
  const options = model.users
    .map((u) => {
      const label = `${u.name} — ${u.orgName} (${u.integrations ? 'integrations' : 'no integrations'})`;
      return `        <option value="${u.id}"${u.id === model.user.id ? ' selected' : ''}>${escapeHtml(label)}</option>`;
    })
    .join('\n');
  return `<form method="post" action="${EMULATOR_SIGN_IN_PATH}" id="switch-user-form" class="switch">
${hiddenInputs(model.params)}
      <label for="switch-user">Not you? Sign in to Hover as:</label>
      <div class="switch-row">
        <select id="switch-user" name="user_id">
${options}
        </select>
        <button type="submit" id="switch-user-button">Switch</button>
      </div>
      <p class="muted">Emulator only: this browser remembers the choice in a cookie; other browsers keep their own.</p>
    </form>`;
}

function hiddenInputs(params: Record<string, string | undefined>): string {
  return CARRIED_PARAMS.filter((name) => params[name] !== undefined)
    .map((name) => `      <input type="hidden" name="${name}" value="${escapeHtml(params[name])}">`)
    .join('\n');
}

function clientHeader(client: ClientRecord): string {
  return `<div class="client">
      <div class="client-icon" aria-hidden="true">${escapeHtml(client.name.trim().charAt(0).toUpperCase() || '?')}</div>
      <p class="client-name" id="client-name">${escapeHtml(client.name)}</p>
    </div>
    <h1>Authorize ${escapeHtml(client.name)} to use your Hover account?</h1>`;
}

function whoAmI(user: UserRecord, org: OrgRecord, signedInBy: 'browser' | 'default'): string {
  const how = signedInBy === 'browser' ? 'chosen in this browser' : "the emulator's default signed-in user";
  return `<p id="signed-in-as">Signed in as ${escapeHtml(`${user.firstName} ${user.lastName}`)} (${escapeHtml(user.email)})
      for <strong id="org-name">${escapeHtml(org.name)}</strong></p>
    <p class="muted" id="org-plan">Plan ${escapeHtml(org.planName)} · ${org.integrations ? 'integrations available' : 'no integrations'} · ${how}</p>`;
}

function layout(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Hover (emulator) · ${escapeHtml(title)}</title>
    <style>${STYLE}</style>
  </head>
  <body>
    <div class="banner" id="emulator-banner" role="note">${escapeHtml(BANNER_TEXT)}</div>
    <main class="card">
    <p class="brand">Hover <span class="badge">emulator</span></p>
    ${body}
    </main>
  </body>
</html>
`;
}

/** Inline only: the page loads nothing from anywhere (no fonts, images or scripts). */
const STYLE = `
      * { box-sizing: border-box; }
      body { margin: 0; min-height: 100vh; background: #eef1f5; color: #1c2430;
        font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
      .banner { background: #ffd84d; color: #3a2c00; text-align: center; font-weight: 600;
        padding: 10px 16px; border-bottom: 2px solid #e0b800; }
      .card { max-width: 440px; margin: 48px auto; background: #fff; border-radius: 12px;
        box-shadow: 0 4px 24px rgba(20, 30, 50, .12); padding: 28px 32px; }
      .brand { margin: 0 0 20px; font-weight: 700; font-size: 18px; letter-spacing: .02em; }
      .badge { font-size: 11px; font-weight: 600; text-transform: uppercase; background: #ffd84d;
        color: #3a2c00; border-radius: 4px; padding: 2px 6px; vertical-align: middle; }
      .client { display: flex; align-items: center; gap: 12px; }
      .client-icon { width: 44px; height: 44px; border-radius: 10px; background: #2456d6; color: #fff;
        display: grid; place-items: center; font-size: 22px; font-weight: 700; }
      .client-name { margin: 0; font-size: 20px; font-weight: 700; }
      h1 { font-size: 17px; font-weight: 600; margin: 16px 0 8px; }
      .muted { color: #5d6878; font-size: 13px; margin: 4px 0; }
      .grants { border-top: 1px solid #e3e7ee; border-bottom: 1px solid #e3e7ee; margin: 16px 0; padding: 8px 0; }
      .grants ul { margin: 4px 0 8px; padding-left: 20px; }
      #allow-form button, #deny-form button { width: 100%; padding: 11px; border-radius: 8px;
        font: inherit; font-weight: 600; cursor: pointer; margin-top: 8px; }
      #allow-form button { background: #2456d6; color: #fff; border: 1px solid #2456d6; }
      #allow-form button:hover { background: #1c45ad; }
      #deny-form button { background: #fff; color: #1c2430; border: 1px solid #c5ccd8; }
      #deny-form button:hover { background: #f3f5f8; }
      .error { background: #fdecec; color: #8a1c1c; border: 1px solid #f3b9b9; border-radius: 8px; padding: 10px 12px; }
      .switch { margin-top: 24px; padding-top: 16px; border-top: 1px dashed #c5ccd8; font-size: 13px; }
      .switch-row { display: flex; gap: 8px; margin-top: 4px; }
      .switch select { flex: 1; min-width: 0; padding: 6px; font: inherit; }
      .switch button { padding: 6px 14px; font: inherit; cursor: pointer; border-radius: 6px;
        border: 1px solid #c5ccd8; background: #fff; }
    `;
