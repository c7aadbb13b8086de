import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';
import { api, unwrap, type Profile } from '../api/client';
import { clearTokens, hasSession, onSessionChange, refreshToken, storeTokens, type TokenResponse } from '../api/session';
import { useI18n, type Language } from '../shared/i18n';
import { Loading } from '../shared/ui';
import { PolicyUpdate } from '../features/auth/PolicyUpdate';

interface Auth {
  signedIn: boolean;
  me: Profile | undefined;
  signIn: (email: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
  setLanguage: (lang: Language) => Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const signedIn = useSyncExternalStore(onSessionChange, hasSession);
  const qc = useQueryClient();
  const { lang, setLanguage: setUiLanguage } = useI18n();
  const me = useQuery({
    queryKey: ['me'],
    queryFn: () => unwrap(api.GET('/api/me')),
    enabled: signedIn,
    staleTime: 60_000,
  });
  // The profile's language wins once it is known (mails use it too).
  const profileLang = me.data?.language;
  useEffect(() => {
    if (profileLang && profileLang !== lang) setUiLanguage(profileLang);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [profileLang]);

  const value = useMemo<Auth>(
    () => ({
      signedIn,
      me: me.data,
      async signIn(email, password) {
        const tokens = await unwrap(api.POST('/api/auth/login', { body: { email, password } }));
        qc.clear();
        storeTokens(tokens as TokenResponse);
      },
      async signOut() {
        const token = refreshToken();
        if (token) await api.POST('/api/auth/logout', { body: { refreshToken: token } }).catch(() => undefined);
        clearTokens();
        qc.clear();
      },
      async setLanguage(l) {
        setUiLanguage(l);
        if (signedIn) {
          const profile = await unwrap(api.PATCH('/api/me', { body: { language: l } }));
          qc.setQueryData(['me'], profile);
        }
      },
    }),
    [signedIn, me.data, qc, setUiLanguage],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}

/** Signed-in routes: otherwise to sign-in, and back here afterwards. */
export function RequireAuth() {
  const { signedIn, me } = useAuth();
  const location = useLocation();
  if (!signedIn) {
    const next = location.pathname + location.search;
    return <Navigate to={`/sign-in?next=${encodeURIComponent(next)}`} replace />;
  }
  if (!me) return <Loading />;
  if (me.policyUpdateRequired) return <PolicyUpdate />;
  return <Outlet />;
}

/** Only same-origin paths are followed after sign-in. */
export function safeNext(raw: string | null): string {
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return '/projects';
  return raw;
}
