// Tokens. The access token lives in memory only. The refresh token is kept
// in sessionStorage: it survives a reload (so a reload does not sign the
// person out) but not the tab, is not shared with other tabs, and is never
// put in a URL. An httpOnly cookie would keep it away from script entirely,
// but the API takes refresh tokens in the body (it is also used by non-
// browser clients), so the remaining risk is XSS; the handler serves the
// app with a strict CSP (no inline or foreign script, no eval) against it.
// Refresh tokens rotate on every use and reuse revokes the family.

const REFRESH_KEY = 'insite-lms.refresh';
let accessToken: string | null = null;
let accessExpiresAt = 0;
let refreshing: Promise<boolean> | null = null;
const listeners = new Set<() => void>();

export interface TokenResponse {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export function storeTokens(t: TokenResponse): void {
  accessToken = t.accessToken;
  // Refresh a little early so that a request never carries an expired token.
  accessExpiresAt = Date.now() + Math.max(0, t.expiresIn - 30) * 1000;
  sessionStorage.setItem(REFRESH_KEY, t.refreshToken);
  listeners.forEach((l) => l());
}

export function clearTokens(): void {
  accessToken = null;
  accessExpiresAt = 0;
  sessionStorage.removeItem(REFRESH_KEY);
  listeners.forEach((l) => l());
}

export function hasSession(): boolean {
  return accessToken !== null || sessionStorage.getItem(REFRESH_KEY) !== null;
}

export function refreshToken(): string | null {
  return sessionStorage.getItem(REFRESH_KEY);
}

export function onSessionChange(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Trades the refresh token for new tokens, once at a time. */
export function refresh(): Promise<boolean> {
  const token = refreshToken();
  if (!token) return Promise.resolve(false);
  if (!refreshing) {
    refreshing = (async () => {
      try {
        const res = await fetch('/api/auth/refresh', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ refreshToken: token }),
        });
        if (!res.ok) {
          if (res.status === 401) clearTokens();
          return false;
        }
        storeTokens((await res.json()) as TokenResponse);
        return true;
      } catch {
        return false;
      } finally {
        refreshing = null;
      }
    })();
  }
  return refreshing;
}

/** A current access token, refreshed silently when it is (about to be) expired. */
export async function currentAccessToken(): Promise<string | null> {
  if (accessToken && Date.now() < accessExpiresAt) return accessToken;
  if (await refresh()) return accessToken;
  return null;
}
