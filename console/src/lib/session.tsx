import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { api, configureAuth, unwrap, type Role } from '../api/client';

export type SessionUser = Readonly<{ id: string; email: string; role: Role }>;
type Stored = Readonly<{ token: string; user: SessionUser; expiresAt: number }>;
export type SignOutReason = 'expired' | 'signedOut';

/** The token lives in sessionStorage (gone with the tab), never in localStorage or a URL. */
const STORAGE_KEY = 'flagdog.session';

function readStored(): Stored | null {
  try {
    const stored = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as Stored | null;
    return stored && stored.expiresAt > Date.now() ? stored : null;
  } catch {
    return null;
  }
}

type Session = Readonly<{
  user: SessionUser | null;
  reason: SignOutReason | null;
  /** Why the server stopped accepting the token (its 401 `code`), when it said. */
  reasonCode: string | null;
  signIn: (email: string, password: string) => Promise<void>;
  signOut: (reason: SignOutReason, code?: string | null) => void;
}>;

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  // The client learns the token before any page asks for data (children's effects run first).
  const expire = useRef<(code: string | null) => void>(() => undefined);
  const [stored, setStored] = useState<Stored | null>(() => {
    const initial = readStored();
    configureAuth(initial?.token ?? null, (code) => expire.current(code));
    return initial;
  });
  const [reason, setReason] = useState<SignOutReason | null>(() =>
    sessionStorage.getItem(STORAGE_KEY) !== null && readStored() === null ? 'expired' : null,
  );

  const [reasonCode, setReasonCode] = useState<string | null>(null);

  const signOut = useCallback((why: SignOutReason, code: string | null = null) => {
    sessionStorage.removeItem(STORAGE_KEY);
    configureAuth(null, null);
    setReason(why);
    setReasonCode(code);
    setStored(null);
  }, []);

  const signIn = useCallback(async (email: string, password: string) => {
    const answer = unwrap(await api.POST('/api/auth/login', { body: { email, password } }));
    const next: Stored = {
      token: answer.accessToken,
      user: answer.user,
      expiresAt: Date.now() + answer.expiresIn * 1000,
    };
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    configureAuth(next.token, (code) => expire.current(code));
    setReason(null);
    setReasonCode(null);
    setStored(next);
  }, []);

  useEffect(() => {
    expire.current = (code) => signOut('expired', code);
  }, [signOut]);

  useEffect(() => {
    if (stored === null) return;
    const timer = setTimeout(() => signOut('expired', 'TOKEN_EXPIRED'), Math.max(0, stored.expiresAt - Date.now()));
    return () => clearTimeout(timer);
  }, [stored, signOut]);

  const value = useMemo(
    () => ({ user: stored?.user ?? null, reason, reasonCode, signIn, signOut }),
    [stored, reason, reasonCode, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const value = useContext(SessionContext);
  if (value === null) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in user; only used inside the signed-in layout. */
export function useUser(): SessionUser {
  const { user } = useSession();
  if (user === null) throw new Error('useUser without a signed-in user');
  return user;
}
