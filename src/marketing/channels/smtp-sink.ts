import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';

/** A message as the sink received it. */
export interface SinkMessage {
  /** 1, 2, 3... in order of arrival. */
  seq: number;
  from: string | null;
  to: string[];
  raw: string;
  receivedAt: Date;
}

export interface SmtpSink {
  port: number;
  /** The SMTP_URL that reaches it. */
  url: string;
  /** Everything accepted so far. */
  messages: SinkMessage[];
  close(): Promise<void>;
}

export interface SmtpSinkOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Write each message as <seq>.eml here. */
  dir?: string;
  /**
   * Called with each message after it is stored and before the sender is told "250 OK":
   * tests use it to stop a sender between the server accepting a message and the sender
   * hearing so.
   */
  beforeAccept?: (m: SinkMessage) => Promise<void> | void;
}

/**
 * A loopback SMTP server that accepts every message and keeps it: in memory, and as .eml
 * files when given a folder. The demo sends to it when no SMTP_URL is set, and the tests send
 * to it to see exactly what arrived. Listens on 127.0.0.1 only, without TLS or login.
 */
export async function startSmtpSink(opts: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: SinkMessage[] = [];
  if (opts.dir) await mkdir(opts.dir, { recursive: true });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    banner: 'Commonplace loopback sink',
    size: 10 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (err) => callback(err));
      stream.on('end', () => {
        void (async () => {
          const message: SinkMessage = {
            seq: messages.length + 1,
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
            receivedAt: new Date(),
          };
          messages.push(message);
          if (opts.dir) {
            await writeFile(
              path.join(opts.dir, `${String(message.seq).padStart(6, '0')}.eml`),
              message.raw,
            );
          }
          await opts.beforeAccept?.(message);
          callback();
        })().catch((err) => callback(err as Error));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
