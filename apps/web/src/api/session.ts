// The member's bearer token, kept in localStorage so a reload or a new tab stays logged in.
// Components follow it with useSession(); logging out (or a revoked token) clears it everywhere.
import { useEffect, useState } from 'preact/hooks';

const KEY = 'tributary.token';
const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

export const session = {
  token(): string | null {
    return localStorage.getItem(KEY);
  },
  set(token: string): void {
    localStorage.setItem(KEY, token);
    notify();
  },
  clear(): void {
    localStorage.removeItem(KEY);
    notify();
  },
};

// Another tab logged in or out.
window.addEventListener('storage', (event) => {
  if (event.key === KEY) notify();
});

/** The current token, re-rendering when it changes. */
export function useSession(): string | null {
  const [token, setToken] = useState(session.token());
  useEffect(() => {
    const listener = () => setToken(session.token());
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return token;
}
