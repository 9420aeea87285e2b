/**
 * Outgoing email: real SMTP through nodemailer (`SMTP_URL`), or, without it,
 * the sandbox mailbox that records what would have been sent in
 * `sandbox_messages` (ARCHITECTURE.md, "Configuration"; refused in production by
 * `loadConfig`).
 */
import nodemailer from 'nodemailer';
import { sandboxMessages } from '../db/schema.ts';
import type { Db } from '../db/pool.ts';

export interface EmailAttachment {
  filename: string;
  content: Buffer;
  contentType?: string;
}

export interface EmailMessage {
  organizationId: number;
  to: string;
  subject: string;
  text: string;
  /** The fetched attachments (empty for a mailer that does not fetch, see `Mailer.fetchesAttachments`). */
  attachments: EmailAttachment[];
  /** Where the attachments come from, as the clinic gave them: the sandbox records these instead of the files. */
  attachmentUrls?: string[];
  /** Sent as the `X-Care-Activity-Id` header, so replies and bounces can be traced. */
  activityId?: number;
}

export interface Mailer {
  readonly kind: 'smtp' | 'sandbox';
  /** False for the sandbox: it records the attachment URLs and never fetches them. */
  readonly fetchesAttachments: boolean;
  /**
   * Delivers `msg` to the relay (or the sandbox).
   * @returns the Message-ID the relay accepted.
   * @throws the transport's error (connection refused, timeout, 4xx/5xx reply).
   */
  send(msg: EmailMessage): Promise<{ messageId: string }>;
  close(): void;
}

/** Longest attachment name kept, in characters (the extension survives a cut). */
const MAX_ATTACHMENT_NAME = 120;

/**
 * A file name safe to offer a mail reader: the base name after the last `/` or `\` (so `../../etc/passwd` is
 * `passwd` and `C:\x\y.pdf` is `y.pdf`), without control or invisible format characters (NUL, CR/LF, bidi
 * overrides), without the characters Windows forbids in names, without leading dots; `attachment` when
 * nothing is left. Attachment names come from URLs that clinics supply, and mail readers save files under them.
 */
export function safeAttachmentName(name: string): string {
  let base = name.split(/[/\\]/).at(-1) ?? '';
  base = base.replace(/[\p{Cc}\p{Cf}]/gu, '').replace(/[<>:"|?*]/g, '_').trim().replace(/^[.\s]+|[.\s]+$/g, '');
  const chars = Array.from(base); // code points: a cut never splits a surrogate pair
  if (chars.length > MAX_ATTACHMENT_NAME) {
    const ext = /\.[^.]{1,16}$/u.exec(base)?.[0] ?? '';
    base = chars.slice(0, MAX_ATTACHMENT_NAME - Array.from(ext).length).join('') + ext;
  }
  return base || 'attachment';
}

function safeAttachments(attachments: EmailAttachment[]): EmailAttachment[] {
  return attachments.map((a) => ({ ...a, filename: safeAttachmentName(a.filename) }));
}

/**
 * A nodemailer SMTP transport; every timeout (connect, greeting, idle socket) is `timeoutMs`. The timeouts go in the
 * transport's options beside `url`: nodemailer's second argument holds message defaults, where they do nothing.
 */
export function createSmtpMailer({ url, from, timeoutMs }: { url: string; from: string; timeoutMs: number }): Mailer {
  const transport = nodemailer.createTransport({
    url,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  return {
    kind: 'smtp',
    fetchesAttachments: true,
    async send(msg) {
      const info = await transport.sendMail({
        from,
        to: msg.to,
        subject: msg.subject,
        text: msg.text,
        attachments: safeAttachments(msg.attachments),
        headers: msg.activityId ? { 'X-Care-Activity-Id': String(msg.activityId) } : undefined,
      });
      return { messageId: info.messageId };
    },
    close: () => transport.close(),
  };
}

/**
 * Records mail in `sandbox_messages` instead of sending it; attachments are recorded by URL (`metadata.attachments`:
 * `[{ url }]`), never fetched, so a development server needs neither a relay nor the attachment hosts.
 */
export function createSandboxMailer({ db, from }: { db: Db; from: string }): Mailer {
  return {
    kind: 'sandbox',
    fetchesAttachments: false,
    async send(msg) {
      const messageId = `<sandbox-${Date.now()}-${Math.random().toString(36).slice(2)}@care-platform.invalid>`;
      await db.insert(sandboxMessages).values({
        organizationId: msg.organizationId,
        channel: 'email',
        toAddress: msg.to,
        fromAddress: from,
        subject: msg.subject,
        body: msg.text,
        metadata: {
          message_id: messageId,
          activity_id: msg.activityId ?? null,
          attachments: (msg.attachmentUrls ?? []).map((url) => ({ url })),
        },
      });
      return { messageId };
    },
    close: () => {},
  };
}

/** The SMTP mailer when `SMTP_URL` is set, else the sandbox mailbox. */
export function createMailer(config: { smtpUrl?: string; mailFrom: string; smtpTimeoutMs: number }, db: Db): Mailer {
  return config.smtpUrl
    ? createSmtpMailer({ url: config.smtpUrl, from: config.mailFrom, timeoutMs: config.smtpTimeoutMs })
    : createSandboxMailer({ db, from: config.mailFrom });
}
