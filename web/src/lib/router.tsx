import { type AnchorHTMLAttributes, type MouseEvent, useEffect, useState } from 'react';

/** Every console URL lives under this prefix; the API answers all of them with the app. */
export const BASE = '/console';

/** The path inside the console, e.g. "/staff/customers/42". */
function currentPath(): string {
  const p = window.location.pathname;
  const inside = p.startsWith(BASE) ? p.slice(BASE.length) : p;
  return inside === '' ? '/' : inside;
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const url = BASE + to;
  if (opts.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  listeners.forEach((l) => l());
}

/** The current console path; re-renders on navigation. */
export function usePath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const update = () => setPath(currentPath());
    listeners.add(update);
    return () => {
      listeners.delete(update);
    };
  }, []);
  return path;
}

/** A link inside the console: a real <a href> (so it can be opened in a new tab) without reload. */
export function Link({
  to,
  onClick,
  ...rest
}: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  const handle = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) {
      return;
    }
    e.preventDefault();
    navigate(to);
  };
  return <a href={BASE + to} onClick={handle} {...rest} />;
}
