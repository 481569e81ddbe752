import { clearSession, loadSession } from './session';

/** One broken rule on one input field, as the API reports it. */
export interface Problem {
  field: string;
  rule: string;
  message: string;
}

/** An error from the API with its code: UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT, ... */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Listener = () => void;
const signedOutListeners = new Set<Listener>();

/** Called when the API says the token is no longer good, so the app can ask for a new one. */
export function onSignedOut(listener: Listener): () => void {
  signedOutListeners.add(listener);
  return () => signedOutListeners.delete(listener);
}

interface GraphQLBody<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string; problems?: Problem[] } }>;
}

/**
 * Sends one operation to the public GraphQL API with the signed-in user's token. Any error in
 * the answer is thrown as an ApiError carrying the first error's code; the console never retries
 * a refusal another way.
 */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const session = loadSession();
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(session ? { authorization: `Bearer ${session.token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError(
      'NETWORK',
      'The library service cannot be reached. Check the connection and try again.',
    );
  }
  let body: GraphQLBody<T>;
  try {
    body = (await res.json()) as GraphQLBody<T>;
  } catch {
    throw new ApiError('HTTP_' + res.status, `The service answered ${res.status} without data.`);
  }
  const first = body.errors?.[0];
  if (first) {
    const code = first.extensions?.code ?? (res.status === 401 ? 'UNAUTHENTICATED' : 'ERROR');
    if (code === 'UNAUTHENTICATED' && session) {
      clearSession();
      signedOutListeners.forEach((l) => l());
    }
    throw new ApiError(code, first.message, first.extensions?.problems ?? []);
  }
  if (!body.data) throw new ApiError('ERROR', 'The service answered without data.');
  return body.data;
}

/** A sentence for a person, whatever went wrong. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    switch (err.code) {
      case 'FORBIDDEN':
        return `Your role may not see this. ${err.message}`;
      case 'UNAUTHENTICATED':
        return 'Your sign-in has ended. Sign in again with a token.';
      case 'BAD_USER_INPUT':
        return err.problems.length ? err.problems.map((p) => p.message).join('; ') : err.message;
      case 'RATE_LIMITED':
        return 'Too many requests in a minute. Wait a moment and try again.';
      default:
        return err.message;
    }
  }
  return err instanceof Error ? err.message : String(err);
}

/** Offers text to the user as a file download. */
export function downloadText(filename: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
