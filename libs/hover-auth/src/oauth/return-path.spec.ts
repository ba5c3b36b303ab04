import { safeReturnPath } from './return-path';

describe('safeReturnPath', () => {
  it.each([
    ['/settings', '/settings'],
    ['/settings/integrations?tab=hover#top', '/settings/integrations?tab=hover#top'],
    ['/a/../b', '/b'],
    // Percent-encoded CR/LF stays encoded in the Location header: inert.
    ['/%0d%0aSet-Cookie:x', '/%0d%0aSet-Cookie:x'],
  ])('accepts the same-origin path %j', (input, expected) => {
    expect(safeReturnPath(input)).toBe(expected);
  });

  it.each([
    'https://evil.example/',
    'http:/evil.example',
    '//evil.example/path',
    '/\\evil.example',
    '\\\\evil.example',
    '/path\r\nLocation: https://evil.example',
    '/tab\there',
    'javascript:alert(1)',
    'settings',
    '',
    '/' + 'a'.repeat(600),
  ])('refuses %j', (input) => {
    expect(safeReturnPath(input)).toBeNull();
  });

  it.each([undefined, null, 42, ['/a'], { path: '/a' }])('refuses the non-string %j', (input) => {
    expect(safeReturnPath(input)).toBeNull();
  });
});
