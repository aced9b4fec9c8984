// Names of the API's codes (payment methods, channels) in the UI's language.
import { f, isMessageKey, locale, t } from './i18n.js';

/** The catalogue's name of a code (`prefix` + `code`), or the code as it is when the catalogue lacks it. */
function nameOf(prefix: string, code: string): string {
  const key = prefix + code;
  return isMessageKey(key) ? t(key) : code;
}

export const PAYMENT_METHODS = ['cash', 'bank', 'card', 'cheque', 'other'] as const;

/** A payment method's name; an unknown method (a gateway's) as it is. */
export function methodName(method: string): string {
  return nameOf('method.', method);
}

/** The payment method select's options. */
export const methodOptions = (): Array<[string, string]> => PAYMENT_METHODS.map((m) => [m, methodName(m)]);

/**
 * A notification template's name in the reader's language ("Primo sollecito" for invoice.reminder.1):
 * a message's subject is in its customer's language, and an SMS has none. An unknown key shows as is.
 */
export function templateName(key: string): string {
  return nameOf('templateName.', key);
}

/** A notification channel's name (email, sms). */
export function channelName(channel: string): string {
  return nameOf('channel.', channel);
}

/**
 * How a network action reason's values read in the UI's language, by the value's name: a calendar date (`date`), an
 * instant (`at`), a data size (`bytes`) and service states (`fromStatus`, `toStatus`); the rest as sent.
 */
function reasonValue(name: string, v: string): string {
  if (name === 'date' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return f().date(v);
  if (name === 'at' && !Number.isNaN(Date.parse(v))) return f().dateTime(v);
  if (name === 'bytes' && /^\d+$/.test(v)) return f().bytes(Number(v));
  const status = `status.${v}`;
  if ((name === 'fromStatus' || name === 'toStatus') && isMessageKey(status)) return t(status);
  return v;
}

/**
 * A reason in the UI's language (an auth-log reject, a network action's why): the catalogue's
 * message for the code the server sends beside it (`aaa.macMismatch`, `reason.throttled`,
 * `reason.action.overdue`…), or the server's English text for a row without one (written before
 * codes were stored, or typed by hand); null without a reason.
 */
export function reasonText(r: { reason: string | null; reasonCode?: string | null; reasonValues?: Readonly<Record<string, string>> | null }): string | null {
  const key = r.reasonCode;
  if (!key || !(key.startsWith('aaa.') || key.startsWith('reason.')) || !isMessageKey(key)) return r.reason;
  // Only a network action's values are named for their kind; the auth log's go as sent ("{bytes} bytes").
  const values = r.reasonValues && key.startsWith('reason.action.') ? Object.fromEntries(Object.entries(r.reasonValues).map(([k, v]) => [k, reasonValue(k, v)])) : r.reasonValues;
  return t(key, values ?? undefined);
}

/** A network action's kind as the UI names it: CoA, or Disconnect in the UI's language. */
export const actionKind = (kind: string): string => (kind === 'coa' ? 'CoA' : t('why.disconnect'));

/**
 * A network action's outcome, agreeing with the action ("disconnessione confermata", not the
 * masculine "confermato" the shared status names give); an unknown outcome as it is.
 */
export function actionOutcome(outcome: string): string {
  return nameOf('actionOutcome.', outcome);
}

/** An RFC 5176 Error-Cause in the UI's language ("503: sessione non trovata sul NAS"); a value the catalogue lacks by its name or number. */
export function errorCauseText(cause: number | null | undefined, name?: string | null): string | null {
  if (cause === null || cause === undefined) return name ?? null;
  const key = `errorCause.${cause}`;
  return t('why.errorCause', { cause, text: isMessageKey(key) ? t(key) : (name ?? String(cause)) });
}

/** How a value of a network action's error reads: the action's kind and outcome, the NAK's cause, in the UI's language. */
function errorValues(key: string, v: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = { ...v };
  if (v.kind !== undefined) out.kind = actionKind(v.kind);
  if (v.outcome !== undefined) out.outcome = actionOutcome(v.outcome);
  if (key === 'actionError.retryNak' && v.cause && v.cause !== 'none') {
    const causeKey = `errorCause.${v.cause}`;
    if (isMessageKey(causeKey)) out.causeName = t(causeKey);
  }
  // The refusal that made a retry a Disconnect, in the reader's language when it came with its key.
  if (key === 'actionError.wouldBeRefused' && v.reasonKey && isMessageKey(v.reasonKey)) {
    const reasonValues = Object.fromEntries(Object.entries(v).filter(([k]) => k.startsWith('reason.')).map(([k, x]) => [k.slice('reason.'.length), x]));
    out.reason = t(v.reasonKey, reasonValues);
  }
  return out;
}

/**
 * Why a network action failed or was not sent, in the UI's language: the catalogue's messages for the
 * keys the server stores beside its English text (a router's or socket's own words stay as said,
 * quoted), or the English text of an older row.
 */
export function actionErrorText(a: { error: string | null; errorMessages?: ReadonlyArray<{ key: string; values: Readonly<Record<string, string>> }> | null }): string | null {
  const texts = (a.errorMessages ?? []).map((p) => (p.key.startsWith('actionError.') && isMessageKey(p.key) ? t(p.key, errorValues(p.key, p.values)) : undefined));
  if (texts.length === 0 || texts.some((x) => x === undefined)) return a.error;
  return texts.join('; ');
}

/** Who did something, as the audit and action logs name them (`admin:3`, `token:1`, `system:dunning`), in the UI's language. */
export function actorName(actor: string): string {
  if (actor === 'anonymous') return t('actor.anonymous');
  const colon = actor.indexOf(':');
  if (colon < 0) return actor;
  const kind = actor.slice(0, colon);
  const id = actor.slice(colon + 1);
  if (kind === 'admin') return t('actor.admin', { id });
  if (kind === 'token') return t('actor.token', { id });
  if (kind === 'system') {
    const what = `actor.system.${id}`;
    return t('actor.system', { what: isMessageKey(what) ? t(what) : id });
  }
  return actor;
}

/** An audit action's name (`suspend`, `plan_switch`…) in the UI's language; one the catalogue lacks as it is. */
export function auditActionName(action: string): string {
  return nameOf('auditAction.', action);
}

/**
 * A recorded failure (a job's, a notification's last delivery error) in the UI's language, from the
 * key the server stores beside its English text: a peer's words (the SMTP server's reply, the SMS
 * gateway's, the database's error) stay as said, inside a sentence that says whose they are. English
 * readers, and older rows, get the English text as recorded.
 */
export function failureText(j: { lastError: string | null; lastErrorCode?: string | null; lastErrorValues?: Readonly<Record<string, string>> | null }): string {
  const key = j.lastErrorCode;
  if (!j.lastError) return '';
  if (locale() === 'en' || !key || !isMessageKey(key)) return j.lastError;
  const values: Record<string, string> = { ...j.lastErrorValues };
  if (key === 'jobError.refused') {
    const title = `problem.${values.code ?? ''}`;
    values.title = isMessageKey(title) ? t(title) : (values.code ?? '');
  }
  return t(key, values);
}

/**
 * The SNMP poller's last error in the UI's language, from the key stored beside its English (no answer,
 * refused v3 credentials, incomplete settings); the agent's own words quoted as said. Rows from before
 * keys were stored: the one sentence of ours they can hold, or the words as recorded.
 */
export function snmpErrorText(s: { lastError: string | null; lastErrorCode?: string | null; lastErrorValues?: Readonly<Record<string, string>> | null }): string {
  if (!s.lastError) return '';
  if (s.lastErrorCode) return failureText(s);
  return s.lastError === 'SNMP settings are incomplete' ? t('nas.snmpIncomplete') : t('nas.snmpError', { words: s.lastError });
}

/** The onboarding script's warnings in the UI's language, from the keys the server sends beside its English. */
export function onboardingWarnings(o: { warnings: readonly string[]; warningMessages?: ReadonlyArray<{ key: string; values: Readonly<Record<string, string>> }> }): string[] {
  const keyed = (o.warningMessages ?? []).map((m) => (m.key.startsWith('onboarding.') && isMessageKey(m.key) ? t(m.key, m.values) : undefined));
  return keyed.length === o.warnings.length && keyed.every((w) => w !== undefined) ? keyed : [...o.warnings];
}

/**
 * Why a session ended (RFC 2866 Acct-Terminate-Cause, as the NAS sent it, or ours: Stale,
 * Session-Context-Not-Found) in the UI's language; a value the catalogue lacks as the NAS sent it.
 */
export function terminateCauseText(cause: string): string {
  return nameOf('terminateCause.', cause);
}

/** What an audit record is about (`service`, `api_token`…) in the UI's language; one the catalogue lacks as it is. */
export function auditEntityName(entity: string): string {
  return nameOf('auditEntity.', entity);
}
