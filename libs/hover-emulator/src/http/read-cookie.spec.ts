import { readCookie } from './read-cookie';

describe('readCookie', () => {
  it('finds the named cookie among others, trimmed and percent-decoded; first occurrence wins', () => {
    expect(readCookie('a=1; hover_emulator_user=3; b=2', 'hover_emulator_user')).toBe('3');
    expect(readCookie('x_hover_emulator_user=9;hover_emulator_user= 4 ;hover_emulator_user=5', 'hover_emulator_user')).toBe('4');
    expect(readCookie('n=%20a%2Fb', 'n')).toBe(' a/b');
    expect(readCookie('n="7"', 'n')).toBe('7');
  });

  it('absent header or cookie → undefined; bad percent-encoding → the raw value', () => {
    expect(readCookie(undefined, 'n')).toBeUndefined();
    expect(readCookie('', 'n')).toBeUndefined();
    expect(readCookie('nn=1; n', 'n')).toBeUndefined();
    expect(readCookie('n=%E0%A4%A', 'n')).toBe('%E0%A4%A');
  });
});
