import { CookieJar } from './cookie-jar';

const answer = (...setCookies: string[]): Response => {
  const headers = new Headers();
  for (const line of setCookies) headers.append('set-cookie', line);
  return new Response(null, { status: 302, headers });
};

describe('CookieJar (browser cookie rules the consent flow relies on)', () => {
  const app = new URL('http://127.0.0.1:3000/hover/authorize');

  it('keeps host-only cookies for the host (any port), by path, and replaces them by name', () => {
    const jar = new CookieJar();
    jar.absorb(app, answer('bind=one; Path=/; HttpOnly; SameSite=Lax', 'scoped=x; Path=/hover', 'dflt=y'));
    jar.absorb(app, answer('bind=two; Path=/'));
    expect(jar.headerFor(new URL('http://127.0.0.1:3000/hover/callback'))).toBe('scoped=x; dflt=y; bind=two');
    expect(jar.headerFor(new URL('http://127.0.0.1:4010/oauth/authorize'))).toBe('bind=two');
    expect(jar.headerFor(new URL('http://127.0.0.1:3000/hoverboard'))).toBe('bind=two');
    expect(jar.headerFor(new URL('http://localhost:3000/hover/callback'))).toBe('');
    expect(jar.valuesFor(new URL('http://127.0.0.1:3000/'))).toEqual({ bind: 'two' });
  });

  it('drops cookies on Max-Age=0 or a past Expires; Max-Age wins over Expires', () => {
    const jar = new CookieJar();
    jar.addCookieHeader(app, 'a=1; b=2; c=3');
    jar.absorb(app, answer('a=; Path=/; Max-Age=0', 'b=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT', 'c=4; Path=/; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT'));
    expect(jar.valuesFor(app)).toEqual({ c: '4' });
    expect(jar.valuesFor(app, Date.now() + 61_000)).toEqual({});
  });

  it('a Domain attribute widens to subdomains; a foreign Domain is rejected', () => {
    const jar = new CookieJar();
    const site = new URL('http://app.example.test/start');
    jar.absorb(site, answer('wide=1; Domain=.example.test; Path=/', 'evil=1; Domain=other.test; Path=/'));
    expect(jar.headerFor(new URL('http://api.example.test/'))).toBe('wide=1');
    expect(jar.headerFor(new URL('http://other.test/'))).toBe('');
  });
});
