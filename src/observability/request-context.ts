import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * What a log line, an outbox entry or a job should know about the work it belongs to: the
 * request id an HTTP request arrived with (or was given), and, in a worker, the job it runs.
 */
export interface RequestContext {
  requestId?: string;
  queue?: string;
  jobId?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` with `context` visible to everything it calls, however deep and however async. */
export function runWithContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The context of the work under way, or undefined outside any request or job. */
export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** Letters, digits and `._:-`, up to 64 characters: enough for UUIDs and most tracing ids. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The id a request is known by: the caller's `x-request-id` when it is a plausible id (so a
 * gateway's id carries through), otherwise a fresh UUID. Anything else is replaced rather than
 * trusted, so a header cannot smuggle text into the logs.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}
