import { describe, expect, it } from 'vitest';
import { formatCode, normaliseCode, tokenFromScan } from './passCode';

const TOKEN = 'q3Zt_9vK-0aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456';

describe('normaliseCode', () => {
  it('ignores case, dashes and spaces', () => {
    expect(normaliseCode('abc-def')).toBe('ABCDEF');
    expect(normaliseCode(' ABC DEF ')).toBe('ABCDEF');
    expect(normaliseCode('k7m–p2x')).toBe('K7MP2X');
  });
  it('refuses what cannot be a code', () => {
    expect(normaliseCode('ABCDE')).toBeNull();
    expect(normaliseCode('ABCDEFG')).toBeNull();
    // 0, 1, I, L and O are not in the alphabet.
    expect(normaliseCode('ABC-DE0')).toBeNull();
    expect(normaliseCode('ILO234')).toBeNull();
    expect(normaliseCode('')).toBeNull();
  });
});

describe('formatCode', () => {
  it('groups in threes', () => {
    expect(formatCode('ABCDEF')).toBe('ABC-DEF');
    expect(formatCode('abc-def')).toBe('ABC-DEF');
  });
});

describe('tokenFromScan', () => {
  it('takes the token out of a pass link', () => {
    expect(tokenFromScan(`https://lms.example/pass/${TOKEN}`)).toBe(TOKEN);
    expect(tokenFromScan(`http://127.0.0.1:7071/pass/${TOKEN}/`)).toBe(TOKEN);
    expect(tokenFromScan(`https://lms.example/pass/${TOKEN}?lang=en#plan`)).toBe(TOKEN);
    expect(tokenFromScan(`  https://lms.example/pass/${TOKEN}\n`)).toBe(TOKEN);
  });
  it('takes a bare token', () => {
    expect(tokenFromScan(TOKEN)).toBe(TOKEN);
  });
  it('refuses other codes', () => {
    expect(tokenFromScan('https://example.com/')).toBeNull();
    expect(tokenFromScan(`https://lms.example/pass/${TOKEN}x`)).toBeNull();
    expect(tokenFromScan(`https://lms.example/pass/${TOKEN.slice(1)}`)).toBeNull();
    expect(tokenFromScan(`https://lms.example/invitations/${TOKEN}`)).toBeNull();
    expect(tokenFromScan('LS-2027-00042')).toBeNull();
  });
});
