import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { HOVER_ERROR_CODES } from '../exceptions/hover-auth.exception';
import { HoverWebhookSignatureException } from '../exceptions/hover-webhook.exceptions';
import { verifyHoverWebhookSignature, type HoverWebhookDelivery } from './webhook-signature';

// Signatures are computed here from shared/hover-reference.md ("Webhooks") with node:crypto, never with
// the code under test: HMAC(hmac_secret as UTF-8, "content-type,content-md5,request-path,date"), base64.
const SECRETS: Record<string, string> = { '42': 'hmac-secret-of-42-7f3a9c', '43': 'hmac-secret-of-43-b81d05' };
const NOW = Date.parse('2026-11-30T12:00:00Z');
const DATE = 'Mon, 30 Nov 2026 12:00:00 GMT';
const PATH = '/hover/webhooks?tenant=acme';
const TYPE = 'application/json';
const BODY = Buffer.from('{"event":"job-state-changed","job_id":1234,"state":"complete","marker":"BODY-MARKER-9d2"}');

const md5 = (body: Buffer) => createHash('md5').update(body).digest('base64');
const hmac = (algorithm: 'sha256' | 'sha1', secret: string, text: string) => createHmac(algorithm, secret).update(text).digest('base64');

interface Signing {
  algorithm?: 'sha256' | 'sha1';
  webhookId?: string;
  secret?: string;
  contentType?: string;
  body?: Buffer;
  path?: string;
  date?: string;
  prefix?: string;
}

/** The signature header value Hover would send for these request parts. */
function sign(parts: Signing = {}): string {
  const algorithm = parts.algorithm ?? 'sha256';
  const webhookId = parts.webhookId ?? '42';
  const canonical = `${parts.prefix ?? ''}${parts.contentType ?? TYPE},${md5(parts.body ?? BODY)},${parts.path ?? PATH},${parts.date ?? DATE}`;
  return `${algorithm}=${webhookId}:${hmac(algorithm, parts.secret ?? SECRETS[webhookId], canonical)}`;
}

function delivery(overrides: Partial<HoverWebhookDelivery> = {}, headers: IncomingHttpHeaders = {}): HoverWebhookDelivery {
  return {
    path: PATH,
    rawBody: BODY,
    now: NOW,
    headers: { 'content-type': TYPE, 'content-md5': md5(BODY), date: DATE, 'hover-signature-256': sign(), ...headers },
    secretFor: async (id) => SECRETS[id] ?? null,
    ...overrides,
  };
}

async function refusal(input: HoverWebhookDelivery): Promise<HoverWebhookSignatureException> {
  const error = await verifyHoverWebhookSignature(input).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof HoverWebhookSignatureException)) throw new Error(`expected a HoverWebhookSignatureException, got ${String(error)}`);
  return error;
}

const codeOf = async (input: HoverWebhookDelivery) => (await refusal(input)).code;
const at = (offsetSeconds: number) => new Date(NOW + offsetSeconds * 1000).toUTCString();

describe('verifyHoverWebhookSignature', () => {
  describe('accepts', () => {
    it('a delivery signed with the secret of the webhook it names (SHA-256), asking for that secret only', async () => {
      const secretFor = jest.fn(async (id: string) => SECRETS[id] ?? null);
      await expect(verifyHoverWebhookSignature(delivery({ secretFor }))).resolves.toEqual({ webhookId: '42', algorithm: 'sha256' });
      expect(secretFor.mock.calls).toEqual([['42']]);
    });

    it('header names in any case', async () => {
      const input = delivery({
        headers: { 'CONTENT-TYPE': TYPE, 'Content-Md5': md5(BODY), Date: DATE, 'HOVER-SIGNATURE-256': sign({ webhookId: '43' }) },
      });
      await expect(verifyHoverWebhookSignature(input)).resolves.toEqual({ webhookId: '43', algorithm: 'sha256' });
    });

    it('without a Content-MD5 header, with the digest of the body received in its place', async () => {
      await expect(verifyHoverWebhookSignature(delivery({}, { 'content-md5': undefined }))).resolves.toEqual({ webhookId: '42', algorithm: 'sha256' });
      await expect(verifyHoverWebhookSignature(delivery({}, { 'content-md5': '' }))).resolves.toEqual({ webhookId: '42', algorithm: 'sha256' });
    });

    it('an empty body and no Content-Type (api-auth signs empty fields as empty strings)', async () => {
      const empty = Buffer.alloc(0);
      const input = delivery({ rawBody: empty }, { 'content-type': undefined, 'content-md5': md5(empty), 'hover-signature-256': sign({ body: empty, contentType: '' }) });
      await expect(verifyHoverWebhookSignature(input)).resolves.toEqual({ webhookId: '42', algorithm: 'sha256' });
    });

    it('the api-auth 1.4+/2.x canonical string (method first) when the method is given, not otherwise', async () => {
      const withMethod = sign({ prefix: 'POST,' });
      await expect(verifyHoverWebhookSignature(delivery({ method: 'post' }, { 'hover-signature-256': withMethod }))).resolves.toEqual({ webhookId: '42', algorithm: 'sha256' });
      await expect(verifyHoverWebhookSignature(delivery({ method: 'POST' }))).resolves.toEqual({ webhookId: '42', algorithm: 'sha256' });
      expect(await codeOf(delivery({}, { 'hover-signature-256': withMethod }))).toBe('HOVER_WEBHOOK_SIGNATURE_INVALID');
      expect(await codeOf(delivery({ method: 'PUT' }, { 'hover-signature-256': withMethod }))).toBe('HOVER_WEBHOOK_SIGNATURE_INVALID');
    });

    it('a path received in absolute form, signed without scheme and host (as api-auth does)', async () => {
      await expect(verifyHoverWebhookSignature(delivery({ path: `https://app.example.com${PATH}` }))).resolves.toEqual({ webhookId: '42', algorithm: 'sha256' });
    });
  });

  describe('legacy Hover-Signature (SHA-1)', () => {
    const legacy = { 'hover-signature-256': undefined, 'hover-signature': sign({ algorithm: 'sha1' }) };

    it('is accepted only with allowLegacySha1', async () => {
      await expect(verifyHoverWebhookSignature(delivery({ allowLegacySha1: true }, legacy))).resolves.toEqual({ webhookId: '42', algorithm: 'sha1' });
      const refused = await refusal(delivery({}, legacy));
      expect([refused.code, refused.message]).toEqual([
        'HOVER_WEBHOOK_SIGNATURE_MISSING',
        'The webhook delivery has only the legacy Hover-Signature (SHA-1) header, which is not accepted unless legacy SHA-1 signatures are allowed.',
      ]);
    });

    it('never replaces a Hover-Signature-256 header, even a malformed or wrong one', async () => {
      expect(await codeOf(delivery({ allowLegacySha1: true }, { ...legacy, 'hover-signature-256': 'sha256=42' }))).toBe('HOVER_WEBHOOK_SIGNATURE_MALFORMED');
      const wrong = sign({ secret: SECRETS['43'] });
      expect(await codeOf(delivery({ allowLegacySha1: true }, { ...legacy, 'hover-signature-256': wrong }))).toBe('HOVER_WEBHOOK_SIGNATURE_INVALID');
    });

    it('a SHA-1 signature in the SHA-256 header is invalid (20 bytes, not 32)', async () => {
      const sha1InSha256Header = `sha256=42:${sign({ algorithm: 'sha1' }).split(':')[1]}`;
      expect(await codeOf(delivery({}, { 'hover-signature-256': sha1InSha256Header }))).toBe('HOVER_WEBHOOK_SIGNATURE_INVALID');
    });
  });

  describe('refuses with a stable code', () => {
    it('no signature header → HOVER_WEBHOOK_SIGNATURE_MISSING', async () => {
      const refused = await refusal(delivery({ allowLegacySha1: true }, { 'hover-signature-256': undefined }));
      expect([refused.code, refused.message, refused.webhookId]).toEqual(['HOVER_WEBHOOK_SIGNATURE_MISSING', 'The webhook delivery has no Hover-Signature-256 header.', null]);
    });

    it.each([
      ['no "="', sign().replace('sha256=', 'sha256 ')],
      ['no ":"', sign().replace(':', '')],
      ['signature not base64', 'sha256=42:not*base64!'],
      ['signature base64 without its padding', sign().replace(/=+$/, '')],
      ['empty signature', 'sha256=42:'],
      ['empty webhook id', `sha256=:${sign().split(':')[1]}`],
      ['webhook id with odd characters', `sha256=4 2:${sign().split(':')[1]}`],
      ['another algorithm', sign().replace('sha256=', 'sha512=')],
      ['two signatures (a repeated header joined by Node)', `${sign()}, ${sign({ webhookId: '43' })}`],
    ])('malformed header (%s) → HOVER_WEBHOOK_SIGNATURE_MALFORMED', async (_case, value) => {
      const refused = await refusal(delivery({}, { 'hover-signature-256': value }));
      expect([refused.code, refused.message]).toEqual(['HOVER_WEBHOOK_SIGNATURE_MALFORMED', 'The Hover-Signature-256 header is not "sha256=<webhook id>:<base64 HMAC>".']);
    });

    it('a repeated header given as an array is malformed too', async () => {
      expect(await codeOf(delivery({}, { 'hover-signature-256': [sign(), sign()] }))).toBe('HOVER_WEBHOOK_SIGNATURE_MALFORMED');
    });

    it('unknown webhook id → HOVER_WEBHOOK_UNKNOWN (also for an empty stored secret)', async () => {
      const refused = await refusal(delivery({}, { 'hover-signature-256': sign({ webhookId: '99', secret: 'whatever' }) }));
      expect([refused.code, refused.webhookId, refused.getStatus()]).toEqual(['HOVER_WEBHOOK_UNKNOWN', '99', 401]);
      expect(await codeOf(delivery({ secretFor: async () => '' }))).toBe('HOVER_WEBHOOK_UNKNOWN');
    });

    it("signature made with another webhook's secret → HOVER_WEBHOOK_SIGNATURE_INVALID", async () => {
      const refused = await refusal(delivery({}, { 'hover-signature-256': sign({ webhookId: '42', secret: SECRETS['43'] }) }));
      expect([refused.code, refused.webhookId]).toEqual(['HOVER_WEBHOOK_SIGNATURE_INVALID', '42']);
    });

    it('body changed after signing: digest mismatch while Content-MD5 is the original, invalid when it was recomputed or dropped', async () => {
      const changed = Buffer.from(BODY.toString().replace('complete', 'failed'));
      expect(await codeOf(delivery({ rawBody: changed }))).toBe('HOVER_WEBHOOK_BODY_DIGEST_MISMATCH');
      expect(await codeOf(delivery({ rawBody: changed }, { 'content-md5': md5(changed) }))).toBe('HOVER_WEBHOOK_SIGNATURE_INVALID');
      expect(await codeOf(delivery({ rawBody: changed }, { 'content-md5': undefined }))).toBe('HOVER_WEBHOOK_SIGNATURE_INVALID');
    });

    it('Content-MD5 header not matching the body → HOVER_WEBHOOK_BODY_DIGEST_MISMATCH', async () => {
      const refused = await refusal(delivery({}, { 'content-md5': md5(Buffer.from('another body')) }));
      expect([refused.code, refused.message]).toEqual(['HOVER_WEBHOOK_BODY_DIGEST_MISMATCH', 'The Content-MD5 header is not the MD5 digest of the body received.']);
      // A hex digest (not base64) is a mismatch too.
      expect(await codeOf(delivery({}, { 'content-md5': createHash('md5').update(BODY).digest('hex') }))).toBe('HOVER_WEBHOOK_BODY_DIGEST_MISMATCH');
    });

    it('path, query or Content-Type changed → HOVER_WEBHOOK_SIGNATURE_INVALID', async () => {
      expect(await codeOf(delivery({ path: '/hover/other?tenant=acme' }))).toBe('HOVER_WEBHOOK_SIGNATURE_INVALID');
      expect(await codeOf(delivery({ path: '/hover/webhooks?tenant=evil' }))).toBe('HOVER_WEBHOOK_SIGNATURE_INVALID');
      expect(await codeOf(delivery({ path: '/hover/webhooks' }))).toBe('HOVER_WEBHOOK_SIGNATURE_INVALID');
      expect(await codeOf(delivery({}, { 'content-type': 'text/plain' }))).toBe('HOVER_WEBHOOK_SIGNATURE_INVALID');
    });

    it('a signature of another length goes through the length check, not a RangeError of timingSafeEqual', async () => {
      for (const signature of ['AA==', Buffer.alloc(64, 1).toString('base64'), Buffer.alloc(31, 1).toString('base64')]) {
        const refused = await refusal(delivery({}, { 'hover-signature-256': `sha256=42:${signature}` }));
        expect([refused.code, refused.message]).toEqual([
          'HOVER_WEBHOOK_SIGNATURE_INVALID',
          'The webhook signature does not match this delivery (wrong secret, or its body, path, Content-Type or Date changed).',
        ]);
      }
    });
  });

  describe('Date (replays)', () => {
    const dated = (date: string | undefined, overrides: Partial<HoverWebhookDelivery> = {}) =>
      delivery(overrides, { date, 'hover-signature-256': sign({ date: date ?? '' }) });

    it.each([
      [-301, 'The Date of the webhook delivery is 301 s in the past; at most 300 s is accepted (a replay, or a clock out of sync).'],
      [301, 'The Date of the webhook delivery is 301 s in the future; at most 300 s is accepted (a replay, or a clock out of sync).'],
    ])('%i s away → HOVER_WEBHOOK_DATE_OUT_OF_RANGE', async (offset, message) => {
      const refused = await refusal(dated(at(offset)));
      expect([refused.code, refused.message, refused.webhookId]).toEqual(['HOVER_WEBHOOK_DATE_OUT_OF_RANGE', message, '42']);
    });

    it.each([-300, -299, 299, 300])('%i s away is accepted (default tolerance 300 s)', async (offset) => {
      await expect(verifyHoverWebhookSignature(dated(at(offset)))).resolves.toEqual({ webhookId: '42', algorithm: 'sha256' });
    });

    it('toleranceSeconds is in seconds', async () => {
      await expect(verifyHoverWebhookSignature(dated(at(-60), { toleranceSeconds: 60 }))).resolves.toEqual({ webhookId: '42', algorithm: 'sha256' });
      expect(await codeOf(dated(at(-61), { toleranceSeconds: 60 }))).toBe('HOVER_WEBHOOK_DATE_OUT_OF_RANGE');
      expect(await codeOf(dated(at(1), { toleranceSeconds: 0 }))).toBe('HOVER_WEBHOOK_DATE_OUT_OF_RANGE');
    });

    it('no Date → HOVER_WEBHOOK_DATE_OUT_OF_RANGE', async () => {
      const refused = await refusal(dated(undefined));
      expect([refused.code, refused.message]).toEqual(['HOVER_WEBHOOK_DATE_OUT_OF_RANGE', 'The webhook delivery has no Date header.']);
    });

    it.each([
      'yesterday',
      '',
      '2026-11-30T12:00:00Z',
      'Mon, 30 Nov 2026 12:00:00 +0000',
      'Mon, 30 Nov 2026 12:00:00 gmt',
      'Mon, 30 Feb 2026 12:00:00 GMT',
      'Mon, 30 Nov 2026 24:00:00 GMT',
      '1796040000',
    ])('a Date that is no HTTP-date (%p) → HOVER_WEBHOOK_DATE_OUT_OF_RANGE', async (date) => {
      const refused = await refusal(dated(date));
      expect([refused.code, refused.message]).toEqual(['HOVER_WEBHOOK_DATE_OUT_OF_RANGE', 'The Date header of the webhook delivery is not an HTTP-date.']);
    });

    it('the obsolete RFC 850 and asctime forms are read as UTC (RFC 7231 §7.1.1.1)', async () => {
      await expect(verifyHoverWebhookSignature(dated('Monday, 30-Nov-26 12:00:00 GMT'))).resolves.toEqual({ webhookId: '42', algorithm: 'sha256' });
      await expect(verifyHoverWebhookSignature(dated('Mon Nov 30 12:00:00 2026'))).resolves.toEqual({ webhookId: '42', algorithm: 'sha256' });
      const early = Date.parse('2026-11-09T12:00:00Z');
      await expect(verifyHoverWebhookSignature(dated('Mon Nov  9 12:00:00 2026', { now: early }))).resolves.toEqual({ webhookId: '42', algorithm: 'sha256' });
      // RFC 850's two-digit year is the one at most 50 years ahead: "94" is 1994 in 1994 and in 2026 (not 2094) …
      await expect(verifyHoverWebhookSignature(dated('Sunday, 06-Nov-94 08:49:37 GMT', { now: Date.parse('1994-11-06T08:49:37Z') }))).resolves.toEqual({ webhookId: '42', algorithm: 'sha256' });
      expect((await refusal(dated('Sunday, 06-Nov-94 08:49:37 GMT'))).message).toMatch(/^The Date of the webhook delivery is \d+ s in the past;/);
      // … and "00" seen 30 s before 2100 is 2100.
      await expect(verifyHoverWebhookSignature(dated('Friday, 01-Jan-00 00:00:10 GMT', { now: Date.parse('2099-12-31T23:59:30Z') }))).resolves.toEqual({ webhookId: '42', algorithm: 'sha256' });
    });

    it('a Date changed after signing (within the window) → HOVER_WEBHOOK_SIGNATURE_INVALID', async () => {
      expect(await codeOf(delivery({}, { date: at(10) }))).toBe('HOVER_WEBHOOK_SIGNATURE_INVALID');
    });
  });

  it('errors are 401 HoverWebhookSignatureExceptions with codes from HOVER_ERROR_CODES; no secret, signature or body in them', async () => {
    const signature = sign();
    const inputs = [
      delivery({}, { 'hover-signature-256': undefined }),
      delivery({}, { 'hover-signature-256': `${signature}!` }),
      delivery({}, { 'hover-signature-256': sign({ webhookId: '99', secret: SECRETS['42'] }) }),
      delivery({}, { 'hover-signature-256': sign({ secret: SECRETS['43'] }) }),
      delivery({ path: '/elsewhere' }),
      delivery({ rawBody: Buffer.from(`${BODY.toString()} `) }),
      delivery({ now: NOW + 3_600_000 }),
    ];
    const refusals = await Promise.all(inputs.map(refusal));
    expect(refusals.map((error) => error.code)).toEqual([
      'HOVER_WEBHOOK_SIGNATURE_MISSING',
      'HOVER_WEBHOOK_SIGNATURE_MALFORMED',
      'HOVER_WEBHOOK_UNKNOWN',
      'HOVER_WEBHOOK_SIGNATURE_INVALID',
      'HOVER_WEBHOOK_SIGNATURE_INVALID',
      'HOVER_WEBHOOK_BODY_DIGEST_MISMATCH',
      'HOVER_WEBHOOK_DATE_OUT_OF_RANGE',
    ]);
    const codes = new Set<string>(Object.values(HOVER_ERROR_CODES));
    const secrets = [...Object.values(SECRETS), signature.split(':')[1], 'BODY-MARKER-9d2'];
    for (const error of refusals) {
      expect([error.code, codes.has(error.code), error.getStatus(), error.name]).toEqual([error.code, true, 401, 'HoverWebhookSignatureException']);
      const rendered = `${error.message} ${JSON.stringify(error.getResponse())}`;
      for (const secret of secrets) expect([error.code, rendered.includes(secret)]).toEqual([error.code, false]);
    }
    expect(refusals[0].getResponse()).toEqual({ statusCode: 401, code: 'HOVER_WEBHOOK_SIGNATURE_MISSING', message: 'The webhook delivery has no Hover-Signature-256 header.' });
  });

  it('a failing secret lookup propagates as is (a server error, not a 401)', async () => {
    const failure = new Error('database down');
    await expect(verifyHoverWebhookSignature(delivery({ secretFor: async () => Promise.reject(failure) }))).rejects.toBe(failure);
  });

  it('refuses a non-finite now or a negative tolerance as a programming error', async () => {
    await expect(verifyHoverWebhookSignature(delivery({ now: Number.NaN }))).rejects.toThrow(RangeError);
    await expect(verifyHoverWebhookSignature(delivery({ toleranceSeconds: -1 }))).rejects.toThrow(RangeError);
  });
});
