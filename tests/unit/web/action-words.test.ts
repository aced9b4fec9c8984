// The words the UI makes from the codes the server sends: a network action's outcome agreeing with
// the action, its error and Error-Cause, who did what in the audit log, a job's failure, the
// onboarding script's warnings, an e-invoice held back and a notification's delivery error. English
// readers, and rows without codes, get the text as recorded.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../../web/src/i18n.js';
import { einvoiceErrorText } from '../../../web/src/components/einvoice-state.js';
import { actionErrorText, actionOutcome, actorName, auditActionName, errorCauseText, failureText, onboardingWarnings, snmpErrorText } from '../../../web/src/names.js';
import { ABANDONED, INTERRUPTED } from '../../../src/notify/sender.js';
import { DeliveryError, emailTransport, smsTransport } from '../../../src/notify/transports.js';
import { keyedError, storeText } from '../../../src/lib/errors.js';

afterEach(() => setLocale('en'));

describe('a network action’s words', () => {
  it('outcomes agree with the action in Italian and Spanish (feminine), and stay as before in English', async () => {
    expect(actionOutcome('confirmed')).toBe('confirmed');
    await setLocale('it');
    expect(actionOutcome('confirmed')).toBe('verificata');
    expect(actionOutcome('acked')).toBe('confermata dal NAS');
    expect(actionOutcome('failed')).toBe('non riuscita');
    await setLocale('es');
    expect(actionOutcome('unconfirmed')).toBe('sin verificar');
    expect(actionOutcome('timeout')).toBe('sin respuesta');
    expect(actionOutcome('something-new')).toBe('something-new');
  });

  it('an error from its keys: a timeout then the router’s own words, quoted', async () => {
    const a: Parameters<typeof actionErrorText>[0] & { error: string } = {
      error: 'no answer after 3 transmission(s); RouterOS: connection refused',
      errorMessages: [{ key: 'actionError.noAnswer', values: { n: '3' } }, { key: 'actionError.routerOs', values: { words: 'connection refused', stage: 'send' } }],
    };
    expect(actionErrorText(a)).toBe(a.error);
    await setLocale('it');
    expect(actionErrorText(a)).toBe('nessuna risposta dopo 3 invii; RouterOS: il router ha risposto «connection refused»');
    await setLocale('es');
    expect(actionErrorText(a)).toBe('sin respuesta tras 3 envíos; RouterOS: el router respondió «connection refused»');
  });

  it('a superseded retry names the newer action’s kind and outcome, a NAKed retry its cause, a refusal its reason, all in the reader’s words', async () => {
    await setLocale('it');
    expect(actionErrorText({ error: 'x', errorMessages: [{ key: 'actionError.superseded', values: { stage: 'notRetried', id: '9', kind: 'disconnect', outcome: 'acked' } }] }))
      .toBe('non ritentata: sostituita dall’azione 9 (Disconnessione, confermata dal NAS) sulla stessa sessione');
    expect(actionErrorText({ error: 'x', errorMessages: [{ key: 'actionError.retryNak', values: { cause: '503', causeName: 'Session-Context-Not-Found' } }] }))
      .toBe('nuovo tentativo rifiutato dal NAS (sessione non trovata sul NAS)');
    expect(actionErrorText({ error: 'x', errorMessages: [{ key: 'actionError.wouldBeRefused', values: { stage: 'notRetried', reason: 'service suspended', reasonKey: 'aaa.suspended' } }] }))
      .not.toContain('service suspended');
  });

  it('an older row without keys, or with keys that are not action errors, keeps its English', async () => {
    await setLocale('it');
    expect(actionErrorText({ error: 'timeout', errorMessages: null })).toBe('timeout');
    expect(actionErrorText({ error: 'x', errorMessages: [{ key: 'nav.settings', values: {} }] })).toBe('x');
    expect(actionErrorText({ error: null })).toBeNull();
  });

  it('an Error-Cause by its number, in the reader’s words; an unknown one by its name', async () => {
    expect(errorCauseText(503, 'Session-Context-Not-Found')).toBe('Error-Cause 503: Session Context Not Found');
    await setLocale('it');
    expect(errorCauseText(503, 'Session-Context-Not-Found')).toBe('motivo 503: sessione non trovata sul NAS');
    expect(errorCauseText(599, 'Vendor-Thing')).toBe('motivo 599: Vendor-Thing');
    expect(errorCauseText(null, null)).toBeNull();
  });
});

describe('who did what', () => {
  it('actors and audit actions in the reader’s words; unknown ones as they are', async () => {
    await setLocale('it');
    expect(actorName('token:1')).toBe('token API 1');
    expect(actorName('admin:3')).toBe('amministratore 3');
    expect(actorName('system:dunning')).toBe('il sistema (solleciti)');
    expect(actorName('system:other')).toBe('il sistema (other)');
    expect(actorName('cli')).toBe('cli');
    expect(auditActionName('suspend')).toBe('sospensione');
    expect(auditActionName('plan_switch')).toBe('cambio di piano');
    expect(auditActionName('brand_new')).toBe('brand_new');
    await setLocale('es');
    expect(actorName('token:1')).toBe('token de API 1');
    expect(auditActionName('suspend')).toBe('corte');
  });
});

describe('a job’s failure and the SNMP poller’s error', () => {
  const smtp = { lastError: 'Can\'t send mail - all recipients were rejected: 550 5.1.1 <x@y>: rejected', lastErrorCode: 'jobError.smtp', lastErrorValues: { words: '550 5.1.1 <x@y>: rejected' } };

  it('English readers read the English as recorded; others the peer’s words inside their own sentence', async () => {
    expect(failureText(smtp)).toBe(smtp.lastError);
    await setLocale('it');
    expect(failureText(smtp)).toBe('il server SMTP ha risposto: «550 5.1.1 <x@y>: rejected»');
    expect(failureText({ lastError: 'conflict!', lastErrorCode: 'jobError.refused', lastErrorValues: { code: 'conflict', words: 'conflict!' } })).toMatch(/^Conflitto/);
    expect(failureText({ lastError: 'old English', lastErrorCode: null, lastErrorValues: null })).toBe('old English');
    expect(failureText({ lastError: null })).toBe('');
    const timeout = { lastError: 'no SNMP answer within 1 s: …', lastErrorCode: 'nas.snmpTimeout', lastErrorValues: { seconds: '1' } };
    expect(snmpErrorText(timeout)).toMatch(/^nessuna risposta SNMP entro 1 s: .*community \(v2c\)/);
    expect(snmpErrorText({ lastError: 'the NAS refused…', lastErrorCode: 'nas.snmpAuth', lastErrorValues: { words: 'Wrong digests' } })).toBe('il NAS ha rifiutato l\'utente SNMPv3 o le sue chiavi: «Wrong digests»');
    expect(snmpErrorText({ lastError: 'SNMP: noSuchName', lastErrorCode: 'nas.snmpError', lastErrorValues: { words: 'noSuchName' } })).toBe('errore SNMP: «noSuchName»');
    expect(snmpErrorText({ lastError: null, lastErrorCode: null })).toBe('');
    // Rows from before the keys: the one sentence of ours they can hold, anything else quoted.
    expect(snmpErrorText({ lastError: 'SNMP settings are incomplete' })).toBe('le impostazioni SNMP sono incomplete');
    expect(snmpErrorText({ lastError: 'Request timed out', lastErrorCode: null })).toBe('errore SNMP: «Request timed out»');
    await setLocale('es');
    expect(snmpErrorText(timeout)).toMatch(/^ninguna respuesta SNMP en 1 s: /);
    await setLocale('en');
    expect(snmpErrorText(timeout)).toBe(timeout.lastError);
  });
});

describe('the onboarding script’s warnings', () => {
  it('in the reader’s words from their keys; the English when a key is missing', async () => {
    const o = { warnings: ['the address 127.0.0.1 is a loopback address a router cannot reach'], warningMessages: [{ key: 'onboarding.loopback', values: { address: '127.0.0.1' } }] };
    expect(onboardingWarnings(o)).toEqual(o.warnings);
    await setLocale('es');
    expect(onboardingWarnings(o)).toEqual(['la dirección 127.0.0.1 es de loopback y un router no puede alcanzarla']);
    expect(onboardingWarnings({ warnings: ['old'], warningMessages: [] })).toEqual(['old']);
  });
});

describe('an e-invoice held back for missing data', () => {
  it('names each field and what is missing in the reader’s words; an older row keeps its English', async () => {
    const d = { lastError: 'country: the country is missing', lastErrorFields: [{ field: 'country', key: 'fault.einvoice.country', values: {} }] };
    await setLocale('it');
    const text = einvoiceErrorText(d)!;
    expect(text).not.toContain('missing');
    expect(text).toMatch(/^Paese: /);
    expect(einvoiceErrorText({ lastError: 'SMTP 451', lastErrorFields: null })).toBe('SMTP 451');
  });
});

describe('a notification’s delivery error', () => {
  /** A failure as the outbox stores it and the API gives it back. */
  const listed = (e: unknown) => {
    if (!(e instanceof DeliveryError)) throw e;
    return { lastError: e.message, ...keyedError(storeText(e.local)) };
  };
  const failed = (p: Promise<void>) => p.then(() => { throw new Error('sent'); }, listed);

  it('reads the outbox’s failures from their keys: our words translated, the server’s or gateway’s quoted', async () => {
    const gateway = createServer((_req, res) => res.writeHead(503).end('busy'));
    await new Promise<void>((ok) => gateway.listen(0, '127.0.0.1', ok));
    try {
      const url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/send`;
      const sms = await failed(smsTransport({ url, method: 'POST', headers: [], body: '{{text}}', content_type: 'text/plain', token: '' }).send({ recipient: '+39333', body: 'hi' } as never));
      const unconfigured = await failed(emailTransport({ smtp_url: '', from: '' }).send({} as never));
      const ours = [INTERRUPTED, ABANDONED].map((m) => ({ lastError: m.text, ...keyedError(storeText(m)) }));
      expect(sms.lastError).toBe('SMS gateway answered 503: busy');
      expect(failureText(sms)).toBe(sms.lastError);
      await setLocale('it');
      expect(failureText(sms)).toBe('il gateway SMS ha risposto 503: «busy»');
      expect(failureText(unconfigured)).toBe('l’email non è configurata ([notify.email] smtp_url è vuoto)');
      for (const m of ours) expect(failureText(m)).not.toBe(m.lastError);
      // A row from before the keys were stored: its English as recorded.
      expect(failureText({ lastError: 'SMTP: 451 busy', lastErrorCode: null, lastErrorValues: null })).toBe('SMTP: 451 busy');
    } finally {
      gateway.close();
    }
  });
});
