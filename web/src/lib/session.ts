import { readToken, type Session } from './token';

/*
 * The signed-in user's bearer token, kept in sessionStorage: it lasts as long as the tab and is
 * never written to a cookie, so no other site can make the browser send it.
 */

export type { Role, Session } from './token';
export { readToken } from './token';

const KEY = 'commonplace.token';

export function loadSession(): Session | null {
  const token = sessionStorage.getItem(KEY);
  if (!token) return null;
  try {
    return readToken(token);
  } catch {
    sessionStorage.removeItem(KEY);
    return null;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(KEY, session.token);
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}
