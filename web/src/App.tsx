import { type FormEvent, lazy, type ReactNode, Suspense, useEffect, useState } from 'react';
import { ErrorNotice, Loading, PageTitle } from './components/common';
import { gql, onSignedOut } from './lib/api';
import { Link, navigate, usePath } from './lib/router';
import {
  clearSession,
  loadSession,
  readToken,
  type Role,
  saveSession,
  type Session,
} from './lib/session';
import { CampaignsScreen } from './screens/Campaigns';
import { MyLibraryScreen } from './screens/MyLibrary';
import { SegmentsScreen } from './screens/Segments';
import { StaffCustomerScreen, StaffSearchScreen } from './screens/Staff';

// Charts are only for managers: Chart.js loads with the insights page, not for everyone.
const InsightsScreen = lazy(() =>
  import('./screens/Insights').then((m) => ({ default: m.InsightsScreen })),
);

interface NavEntry {
  to: string;
  label: string;
  roles: Role[];
}

/**
 * What each role is offered, following the API's permission matrix. Hiding a link is only
 * courtesy: the API refuses whatever a role may not do, and the screens say so when it does.
 */
const NAV: NavEntry[] = [
  { to: '/me', label: 'My library', roles: ['CUSTOMER'] },
  { to: '/staff', label: 'Customers', roles: ['FRONT_LINE_STAFF', 'ADMIN'] },
  { to: '/marketing/segments', label: 'Segments', roles: ['MARKETING', 'ADMIN'] },
  { to: '/marketing/campaigns', label: 'Campaigns', roles: ['MARKETING', 'MANAGER', 'ADMIN'] },
  { to: '/insights', label: 'Insights', roles: ['MANAGER', 'ADMIN'] },
];

const ROLE_NAMES: Record<Role, string> = {
  CUSTOMER: 'Customer',
  FRONT_LINE_STAFF: 'Front-line staff',
  MARKETING: 'Marketing',
  MANAGER: 'Manager',
  ADMIN: 'Administrator',
  SERVICE: 'Catalogue service',
};

const HOME: Record<Role, string> = {
  CUSTOMER: '/me',
  FRONT_LINE_STAFF: '/staff',
  MARKETING: '/marketing/segments',
  MANAGER: '/insights',
  ADMIN: '/staff',
  SERVICE: '/nothing',
};

function homeFor(role: Role): string {
  return HOME[role];
}

function SignIn({ onSignIn }: { onSignIn(s: Session): void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    let session: Session;
    try {
      session = readToken(token);
    } catch (err) {
      setError(err);
      return;
    }
    setBusy(true);
    saveSession(session);
    try {
      // Any request with a bad token is refused with 401, so this checks it with the API.
      await gql('{ __typename }');
      onSignIn(session);
    } catch (err) {
      clearSession();
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="signin">
      <PageTitle>Sign in to the Commonplace console</PageTitle>
      <p>
        Paste the bearer token you were given. <code>npm run demo</code> prints one for each role;{' '}
        <code>npm run cli -- token --role ROLE</code> makes more. It is kept in this tab only and
        forgotten when the tab closes.
      </p>
      <form onSubmit={submit} className="stack">
        <label htmlFor="token">Token</label>
        <textarea
          id="token"
          name="token"
          rows={4}
          required
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-describedby={error ? 'token-error' : undefined}
        />
        <div id="token-error">
          <ErrorNotice error={error} title="Not signed in" />
        </div>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}

function Layout({
  session,
  children,
  onSignOut,
}: {
  session: Session;
  children: ReactNode;
  onSignOut(): void;
}) {
  const path = usePath();
  const entries = NAV.filter((n) => n.roles.includes(session.role));
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to main content
      </a>
      <header className="top">
        <div className="brand">
          <span className="brand-name">Commonplace</span>
          <span className="who">
            {ROLE_NAMES[session.role]}
            {session.role !== 'CUSTOMER' && ` · ${session.name}`}
          </span>
        </div>
        <nav aria-label="Console">
          <ul>
            {entries.map((n) => (
              <li key={n.to}>
                <Link to={n.to} aria-current={path.startsWith(n.to) ? 'page' : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" className="link-button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main">{children}</main>
    </>
  );
}

function Route({ path, session }: { path: string; session: Session }) {
  const customer = /^\/staff\/customers\/(\d+)$/.exec(path);
  const campaign = /^\/marketing\/campaigns\/(\d+|new)$/.exec(path);
  if (path === '/me') return <MyLibraryScreen session={session} />;
  if (path === '/staff') return <StaffSearchScreen />;
  if (customer) return <StaffCustomerScreen customerId={customer[1]} />;
  if (path === '/insights') return <InsightsScreen />;
  if (path === '/marketing/segments') return <SegmentsScreen />;
  if (path === '/marketing/campaigns') return <CampaignsScreen session={session} />;
  if (campaign) return <CampaignsScreen session={session} campaignId={campaign[1]} />;
  if (path === '/nothing') {
    return (
      <>
        <PageTitle>Nothing here for this role</PageTitle>
        <p>
          A {ROLE_NAMES[session.role].toLowerCase()} token is for a catalogue server, not for
          people. Sign out and sign in with a staff or customer token.
        </p>
      </>
    );
  }
  return (
    <>
      <PageTitle>Page not found</PageTitle>
      <p>
        <Link to={homeFor(session.role)}>Go to your start page</Link>
      </p>
    </>
  );
}

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const path = usePath();
  useEffect(() => onSignedOut(() => setSession(null)), []);
  useEffect(() => {
    if (session && (path === '/' || path === '/sign-in'))
      navigate(homeFor(session.role), { replace: true });
  }, [session, path]);
  if (!session) {
    return (
      <main id="main" className="signin-main">
        <SignIn
          onSignIn={(s) => {
            setSession(s);
            navigate(path === '/' || path === '/sign-in' ? homeFor(s.role) : path, {
              replace: true,
            });
          }}
        />
      </main>
    );
  }
  const signOut = () => {
    clearSession();
    setSession(null);
    navigate('/sign-in');
  };
  return (
    <Layout session={session} onSignOut={signOut}>
      <Suspense fallback={<Loading what="the page" />}>
        <Route path={path} session={session} />
      </Suspense>
    </Layout>
  );
}
