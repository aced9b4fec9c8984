// SDI over PEC as the tests play it: the seller's configuration, a PEC provider that cannot be reached,
// the FatturaPA attachment of a message the daemon sent, and SDI's receipts (RicevutaConsegna,
// NotificaScarto) delivered to the operator's mailbox the way a PEC provider does.
import { createServer } from 'node:net';
import { ImapFlow } from 'imapflow';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Dovecot } from './dovecot.js';

/** The operator's PEC mailbox, and the SDI address that answers from it. */
export const PEC = 'fatture@pec.reteveloce.example';
export const SDI_REPLY_FROM = 'sdi27@pec.fatturapa.it';

/** `[company]` and `[einvoice]` of a seller whose data are complete, sending by PEC through `smtpUrl`/`imapUrl`. */
export const sellerConfig = (smtpUrl: string, imapUrl: string) => `
[company]
name = "Rete Veloce S.r.l."
vat_number = "06363391001"
tax_code = "06363391001"
street = "Via Appia Nuova"
street_number = "12"
postal_code = "00183"
city = "Roma"
province = "RM"
iban = "IT60X0542811101000000123456"
[einvoice]
channel = "pec"
pec_address = "${PEC}"
pec_smtp_url = "${smtpUrl}"
pec_imap_url = "${imapUrl}"
`;

/** A port on 127.0.0.1 where nothing listens: the PEC provider that cannot be reached. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A seller whose PEC provider does not answer: documents are made and stay "to send" with the error. */
export const unreachableSellerConfig = async () => {
  const port = await closedPort();
  return sellerConfig(`smtp://127.0.0.1:${port}`, `imap://fatture:secret@127.0.0.1:${port}`);
};

/** The XML attachment of a raw message nodemailer composed (base64 part). */
export function attachment(raw: string): { fileName: string; xml: string } {
  const m = /filename="?([^";\r\n]+\.xml)"?[\s\S]*?\r\n\r\n([A-Za-z0-9+/=\r\n]+?)\r\n--/.exec(raw);
  if (!m) throw new Error(`no XML attachment in:\n${raw.slice(0, 2000)}`);
  return { fileName: m[1]!, xml: Buffer.from(m[2]!.replace(/\s/g, ''), 'base64').toString('utf8') };
}

/** SDI's answer as a PEC provider delivers it: the receipt inside the original message (postacert.eml) inside the provider's envelope. */
export async function deliverReceipt(imap: Dovecot, receiptName: string, xml: string): Promise<void> {
  const original = await new MailComposer({
    from: SDI_REPLY_FROM, to: PEC, subject: `Ricevuta ${receiptName}`, text: 'Ricevuta',
    attachments: [{ filename: receiptName, content: xml, contentType: 'application/xml' }],
  }).compile().build();
  const envelope = await new MailComposer({
    from: 'posta-certificata@pec.provider.example', to: PEC, subject: `POSTA CERTIFICATA: Ricevuta ${receiptName}`,
    text: 'Messaggio di posta certificata',
    attachments: [
      { filename: 'daticert.xml', content: '<postacert tipo="posta-certificata"/>', contentType: 'application/xml' },
      { filename: 'postacert.eml', content: original, contentType: 'message/rfc822' },
    ],
  }).compile().build();
  const c = new ImapFlow({ host: '127.0.0.1', port: imap.port, secure: false, auth: { user: imap.user, pass: imap.password }, logger: false, doSTARTTLS: false });
  await c.connect();
  await c.append('INBOX', envelope);
  await c.logout();
}

/** SDI's delivery receipt (RC) of `file`. */
export const RC = (file: string) => `<?xml version="1.0" encoding="UTF-8"?>
<ns3:RicevutaConsegna xmlns:ns3="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/messaggi/v1.0" versione="1.0">
  <IdentificativoSdI>9${Math.floor(Math.random() * 1e8)}</IdentificativoSdI><NomeFile>${file}</NomeFile><Hash>00</Hash>
  <DataOraRicezione>2026-11-23T10:00:00.000+01:00</DataOraRicezione><DataOraConsegna>2026-11-23T10:01:00.000+01:00</DataOraConsegna>
  <Destinatario><Codice>M5UXCR1</Codice><Descrizione>x</Descrizione></Destinatario><MessageId>1</MessageId>
</ns3:RicevutaConsegna>`;

/** SDI's rejection (NS) of `file`, error 00311. */
export const NS = (file: string) => `<?xml version="1.0" encoding="UTF-8"?>
<ns3:NotificaScarto xmlns:ns3="http://ivaservizi.agenziaentrate.gov.it/docs/xsd/messaggi/v1.0" versione="1.0">
  <IdentificativoSdI>8${Math.floor(Math.random() * 1e8)}</IdentificativoSdI><NomeFile>${file}</NomeFile><Hash>00</Hash>
  <DataOraRicezione>2026-11-23T10:00:00.000+01:00</DataOraRicezione>
  <ListaErrori><Errore><Codice>00311</Codice><Descrizione>1.1.4 CodiceDestinatario non valido</Descrizione></Errore></ListaErrori>
  <MessageId>2</MessageId>
</ns3:NotificaScarto>`;

/** A receipt's file name as SDI gives it: the document's file with its type and a progressive. */
export const receiptName = (file: string, type: string) => file.replace(/\.xml$/, `_${type}_001.xml`);
