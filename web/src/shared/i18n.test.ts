import { describe, expect, it } from 'vitest';
import de from '../locales/de.json';
import en from '../locales/en.json';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('catalogues', () => {
  it('German and English have the same keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(de).sort());
  });
  it('every message uses the same placeholders in both languages', () => {
    for (const key of Object.keys(de) as (keyof typeof de)[]) {
      expect(placeholders(en[key]), String(key)).toEqual(placeholders(de[key]));
    }
  });
  it('no message is empty', () => {
    for (const [key, value] of [...Object.entries(de), ...Object.entries(en)] as [string, string][]) {
      expect(value.trim(), key).not.toBe('');
    }
  });
});
