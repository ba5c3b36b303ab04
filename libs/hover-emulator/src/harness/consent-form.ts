/** A form as a browser would submit it after a click on one of its buttons. Internal. */
export interface SubmittableForm {
  /** Absolute URL of the form's `action`. */
  action: URL;
  method: string;
  /** Hidden inputs plus the clicked button's `name=value`. */
  fields: URLSearchParams;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/**
 * Finds the form on `html` holding a submit button `name="decision" value="<decision>"` (the
 * emulator's consent page: see oauth/consent-page.ts) and returns what clicking it would send.
 * @param pageUrl the page's URL, to resolve a relative `action`
 * @returns `null` when no such button exists (e.g. the integrations-unavailable page)
 */
export function findDecisionForm(html: string, pageUrl: URL, decision: 'allow' | 'deny'): SubmittableForm | null {
  for (const form of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const formAttributes = attributesOf(form[1]);
    const button = [...form[2].matchAll(/<button\b([^>]*)>/gi)]
      .map((match) => attributesOf(match[1]))
      .find((attributes) => attributes.name === 'decision' && attributes.value === decision);
    if (!button) continue;
    const fields = new URLSearchParams();
    for (const input of form[2].matchAll(/<input\b([^>]*)>/gi)) {
      const attributes = attributesOf(input[1]);
      if (attributes.name !== undefined) fields.append(attributes.name, attributes.value ?? '');
    }
    fields.append(button.name, button.value);
    return {
      action: new URL(formAttributes.action ?? pageUrl.toString(), pageUrl),
      method: (formAttributes.method ?? 'get').toUpperCase(),
      fields,
    };
  }
  return null;
}

/** The `data-error` code of the emulator's OAuth error page (`id="oauth-error"`), if the page is one. */
export function oauthErrorOf(html: string): string | null {
  const element = html.match(/<p\b[^>]*id="oauth-error"[^>]*>/i);
  return element ? (attributesOf(element[0]).data_error ?? null) : null;
}

/** The text of the element with `id`, entity-decoded, or `null`. */
export function textOfId(html: string, id: string): string | null {
  const element = html.match(new RegExp(`<(\\w+)\\b[^>]*id="${id}"[^>]*>([\\s\\S]*?)</\\1>`, 'i'));
  return element ? decode(element[2].replace(/<[^>]*>/g, '')).replace(/\s+/g, ' ').trim() : null;
}

/** Double-quoted attributes of a tag, names lower-cased with `-` as `_`, values entity-decoded. */
function attributesOf(tag: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of tag.matchAll(/([a-zA-Z_:][\w:.-]*)="([^"]*)"/g)) attributes[match[1].toLowerCase().replace(/-/g, '_')] = decode(match[2]);
  return attributes;
}

function decode(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity]);
}
