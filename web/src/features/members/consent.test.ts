import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import en from '../../locales/en.json';
import { CONSENT_WORDING, CONSENT_WORDING_VERSION } from './consent';

const rust = readFileSync(join(import.meta.dirname, '..', '..', '..', '..', 'handlers', 'domain', 'invitations.rs'), 'utf8');

describe('consent wording (P5)', () => {
  it('is the wording the API stores, with its version', () => {
    const version = /CONSENT_WORDING_VERSION: &str = "([^"]+)"/.exec(rust)?.[1];
    const wording = /CONSENT_WORDING: &str = "((?:[^"\\]|\\[\s\S])*)"/.exec(rust)?.[1].replace(/\\\n\s*/g, '');
    expect(version).toBe(CONSENT_WORDING_VERSION);
    expect(wording).toBe(CONSENT_WORDING);
  });
  it('is the English label word for word', () => {
    expect(en['members.consent']).toBe(CONSENT_WORDING);
  });
});
