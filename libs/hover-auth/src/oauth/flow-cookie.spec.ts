import { FlowCookieSealer, flowCookieName, type SealedFlow } from './flow-cookie';

const KEY = { id: 'k1', key: Buffer.alloc(32, 1) };
const FLOW: SealedFlow = { connectionId: 'account:42', codeVerifier: 'v'.repeat(43), returnTo: '/settings?tab=hover', expiresAt: 1_764_460_800_000 };

describe('FlowCookieSealer', () => {
  const sealer = new FlowCookieSealer([KEY]);

  it('seals and opens a flow for its state; the value holds no plaintext', () => {
    const sealed = sealer.seal(FLOW, 'state-a');
    expect(sealed).toMatch(/^f1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(sealed).not.toContain('account');
    expect(sealer.open(sealed, 'state-a')).toEqual(FLOW);
    expect(sealed.length).toBeLessThan(1024);
  });

  it('refuses a value copied to another state, altered, relabelled, or sealed with another key', () => {
    const sealed = sealer.seal(FLOW, 'state-a');
    expect(sealer.open(sealed, 'state-b')).toBeNull();
    const parts = sealed.split('.');
    const bytes = Buffer.from(parts[3], 'base64url');
    bytes[0] ^= 1;
    expect(sealer.open([...parts.slice(0, 3), bytes.toString('base64url'), parts[4]].join('.'), 'state-a')).toBeNull();
    expect(sealer.open(['f1', 'k2', ...parts.slice(2)].join('.'), 'state-a')).toBeNull();
    expect(new FlowCookieSealer([{ id: 'k1', key: Buffer.alloc(32, 2) }]).open(sealed, 'state-a')).toBeNull();
    expect(sealer.open('garbage', 'state-a')).toBeNull();
  });

  it('after a key rotation, flows sealed with the previous key still open; new ones use the newest', () => {
    const before = sealer.seal(FLOW, 'state-a');
    const rotated = new FlowCookieSealer([{ id: 'k2', key: Buffer.alloc(32, 2) }, KEY]);
    expect(rotated.open(before, 'state-a')).toEqual(FLOW);
    expect(rotated.seal(FLOW, 'state-a').split('.')[1]).toBe('k2');
  });

  it('names one cookie per state', () => {
    expect(flowCookieName('state-a')).toMatch(/^hover_oauth_[A-Za-z0-9_-]{16}$/);
    expect(flowCookieName('state-a')).not.toBe(flowCookieName('state-b'));
  });
});
