import { escapeHtml } from '../http/html-escape';
import { INTEGRATIONS_UNAVAILABLE_MESSAGE } from '../hover-emulator.constants';
import { ClientRecord, OrgRecord, UserRecord } from '../store/emulator-records.interface';

/** Authorization-request parameters carried from the consent page to `POST /oauth/authorize`. */
const CARRIED_PARAMS = ['response_type', 'client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method'] as const;

/** Who the page is shown to and for which client. */
export interface ConsentPageModel {
  client: ClientRecord;
  user: UserRecord;
  org: OrgRecord;
  /** The authorization request's parameters; only `CARRIED_PARAMS` are echoed, all HTML-escaped. */
  params: Record<string, string | undefined>;
}

/**
 * Renders Hover's consent page: "Authorize <client> to use your Hover account?" with the signed-in
 * user and org, and two forms POSTing to `/oauth/authorize` — Allow (`decision=allow`) and Deny
 * (`decision=deny`) — each carrying the request parameters as hidden inputs.
 */
export function renderConsentPage(model: ConsentPageModel): string {
  const hidden = CARRIED_PARAMS.filter((name) => model.params[name] !== undefined)
    .map((name) => `      <input type="hidden" name="${name}" value="${escapeHtml(model.params[name])}">`)
    .join('\n');
  return layout(
    'Authorize application',
    `<h1>Authorize ${escapeHtml(model.client.name)} to use your Hover account?</h1>
    ${whoAmI(model.user, model.org)}
    <p>This application will be able to access your organization's jobs and measurements.</p>
    <form method="post" action="/oauth/authorize" id="allow-form">
${hidden}
      <button type="submit" name="decision" value="allow">Allow</button>
    </form>
    <form method="post" action="/oauth/authorize" id="deny-form">
${hidden}
      <button type="submit" name="decision" value="deny">Deny</button>
    </form>`,
  );
}

/**
 * Renders the dead end shown when the org's plan lacks integrations and the fault
 * `consentWithoutIntegrations` is `'block'`: Hover's message, no Allow button, no redirect.
 */
export function renderIntegrationsUnavailablePage(model: Omit<ConsentPageModel, 'params'>): string {
  return layout(
    'Integrations unavailable',
    `<h1>Authorize ${escapeHtml(model.client.name)} to use your Hover account?</h1>
    ${whoAmI(model.user, model.org)}
    <p class="error" id="integrations-unavailable">${escapeHtml(INTEGRATIONS_UNAVAILABLE_MESSAGE)}</p>`,
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

function whoAmI(user: UserRecord, org: OrgRecord): string {
  return `<p id="signed-in-as">Signed in as ${escapeHtml(`${user.firstName} ${user.lastName}`)} (${escapeHtml(user.email)})
      for <strong id="org-name">${escapeHtml(org.name)}</strong></p>`;
}

function layout(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
  <head><meta charset="utf-8"><title>Hover (emulator) · ${escapeHtml(title)}</title></head>
  <body>
    ${body}
  </body>
</html>
`;
}
