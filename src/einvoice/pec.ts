/**
 * The PEC channel to SDI: files leave from the operator's certified mailbox over SMTP, as an
 * attachment to SDI's address; SDI's receipts come back to the same mailbox and are read over IMAP.
 *
 * A PEC provider wraps every message it delivers in its own envelope (the original as an attached
 * `postacert.eml`, plus `daticert.xml`), so receipts are looked for in every part of a message,
 * nested messages included: a part whose file name is an SDI message name (`…_RC_001.xml`). The
 * address a receipt came from is the sender of the innermost message carrying it (the SDI address
 * to use from then on). A message is marked \Seen once its receipts were read, so each is handed
 * over once; one with no receipt is marked too (the mailbox also gets the provider's acceptance and
 * delivery notices).
 */
import { ImapFlow } from 'imapflow';
import type { MessageStructureObject } from 'imapflow';
import nodemailer from 'nodemailer';
import { parseReceiptName } from '../domain/einvoice/receipts.js';
import type { IncomingFile, OutgoingFile, SdiChannel } from './service.js';

export interface PecOptions {
  /** The operator's PEC address, the sender. */
  address: string;
  /** smtp(s)://user:pass@host:port */
  smtpUrl: string;
  /** imap(s)://user:pass@host:port */
  imapUrl: string;
  timeoutMs?: number;
}

function secretsOf(url: string): string[] {
  try {
    const u = new URL(url);
    return [u.password, decodeURIComponent(u.password)].filter((s) => s.length >= 3);
  } catch {
    return [];
  }
}

function masked(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('********');
  return out;
}

interface Found {
  part: string;
  fileName: string;
  from: string | null;
}

/** The parts of a message that are SDI files, with the sender of the message that carries each. */
function sdiParts(node: MessageStructureObject, from: string | null, out: Found[]): void {
  const sender = node.envelope?.from?.[0]?.address ?? from;
  const name = node.dispositionParameters?.filename ?? node.parameters?.name;
  if (name && node.part && parseReceiptName(name)) out.push({ part: node.part, fileName: name, from: sender });
  for (const c of node.childNodes ?? []) sdiParts(c, node.type === 'message/rfc822' ? sender : from, out);
}

export function pecChannel(opts: PecOptions): SdiChannel {
  const t = opts.timeoutMs ?? 30_000;
  const secrets = [...secretsOf(opts.smtpUrl), ...secretsOf(opts.imapUrl)];
  // Built at the first send: a missing URL is then a clear failure of the run, not of the daemon's start.
  let transporter: ReturnType<typeof nodemailer.createTransport> | undefined;
  const smtp = () => {
    if (!opts.smtpUrl) throw new Error('PEC SMTP: [einvoice] pec_smtp_url is empty');
    transporter ??= nodemailer.createTransport(opts.smtpUrl, { connectionTimeout: t, greetingTimeout: t, socketTimeout: t } as never);
    return transporter;
  };

  function imap(): ImapFlow {
    if (!opts.imapUrl) throw new Error('PEC IMAP: [einvoice] pec_imap_url is empty');
    const u = new URL(opts.imapUrl);
    const secure = u.protocol === 'imaps:';
    return new ImapFlow({
      host: u.hostname, port: Number(u.port || (secure ? 993 : 143)), secure,
      auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) },
      logger: false, connectionTimeout: t, greetingTimeout: t, socketTimeout: t,
      // A local test server offers no STARTTLS; a real PEC provider is reached over imaps.
      doSTARTTLS: secure ? undefined : false,
    });
  }

  return {
    name: 'pec',
    async send(file: OutgoingFile, to: string) {
      const mailer = smtp();
      try {
        const info = await mailer.sendMail({
          from: opts.address, to, subject: file.fileName, text: `${file.fileName}`,
          attachments: [{ filename: file.fileName, content: file.xml, contentType: 'application/xml' }],
        });
        return { messageId: (info as { messageId?: string }).messageId ?? null };
      } catch (e) {
        // eslint-disable-next-line preserve-caught-error -- the cause may carry the mailbox password: only the masked text is kept
        throw new Error(masked(`PEC SMTP: ${(e as Error).message}`, secrets));
      }
    },
    async receive(): Promise<IncomingFile[]> {
      const client = imap();
      const out: IncomingFile[] = [];
      try {
        await client.connect();
        const lock = await client.getMailboxLock('INBOX');
        try {
          const uids = await client.search({ seen: false }, { uid: true });
          if (!uids || uids.length === 0) return out;
          const messages = await client.fetchAll(uids.join(','), { uid: true, bodyStructure: true, envelope: true }, { uid: true });
          for (const m of messages) {
            const found: Found[] = [];
            if (m.bodyStructure) sdiParts(m.bodyStructure, m.envelope?.from?.[0]?.address ?? null, found);
            if (found.length > 0) {
              const parts = await client.downloadMany(String(m.uid), found.map((f) => f.part), { uid: true });
              for (const f of found) {
                const content = parts[f.part]?.content;
                if (content) out.push({ fileName: f.fileName, xml: content.toString('utf8'), from: f.from });
              }
            }
            await client.messageFlagsAdd(String(m.uid), ['\\Seen'], { uid: true });
          }
        } finally {
          lock.release();
        }
        return out;
      } catch (e) {
        // eslint-disable-next-line preserve-caught-error -- the cause may carry the mailbox password: only the masked text is kept
        throw new Error(masked(`PEC IMAP: ${(e as Error).message}`, secrets));
      } finally {
        await client.logout().catch(() => undefined);
      }
    },
  };
}
