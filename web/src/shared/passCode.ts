// Pure helpers for passes: the short booking code as people type or read
// it out, and the pass token inside whatever a QR scanner returns.

/** The alphabet of short codes: no 0/O, 1/I/L, so that a code read aloud is unambiguous. */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const CODE_LENGTH = 6;

/**
 * A typed code in its canonical form (`ABCDEF`), or null when it cannot be
 * one: case, spaces and dashes do not matter ("abc-def", "ABC DEF").
 */
export function normaliseCode(input: string): string | null {
  const bare = input.toUpperCase().replace(/[\s\-‐‑–—_.]/g, '');
  if (bare.length !== CODE_LENGTH) return null;
  for (const c of bare) if (!CODE_ALPHABET.includes(c)) return null;
  return bare;
}

/** A code as shown to people: `ABC-DEF`. */
export function formatCode(code: string): string {
  const bare = code.toUpperCase().replace(/-/g, '');
  return bare.length === CODE_LENGTH ? `${bare.slice(0, 3)}-${bare.slice(3)}` : code;
}

/** A pass token: 256 bits as URL-safe base64 without padding. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/**
 * The pass token in a scanned text: a pass link (`…/pass/{token}`, with or
 * without a query, fragment or trailing slash) or a bare token. Null for any
 * other QR code (a supplier's delivery note, a web site).
 */
export function tokenFromScan(text: string): string | null {
  const s = text.trim();
  if (TOKEN.test(s)) return s;
  const m = s.match(/\/pass\/([A-Za-z0-9_-]+)\/?(?:[?#].*)?$/);
  return m && TOKEN.test(m[1]) ? m[1] : null;
}
