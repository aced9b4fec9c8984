/**
 * Why a network action failed, or was not sent or retried, as the action log keeps it: the English
 * text of `nas_actions.error` (what API clients and the log have always read) and the same by
 * catalogue key in `error_message`, so the "Why offline?" timeline words it in its reader's language.
 *
 * One error is a list of messages: the CoA exchange's, then the RouterOS fallback's when there was
 * one ("no answer after 3 transmission(s); RouterOS: …"). A peer's own words (the RouterOS API's
 * answer, a socket's error) travel as the value `words`, as said; the catalogue puts them inside a
 * sentence of the reader's language that says whose words they are. `stage` says where the message
 * arose (`retry`: on the checker's retry; `notSent`/`notRetried`: why an action ended unsent), and
 * each language's message picks its wording from it.
 */
import { parseStored, said, storedText, type LocalText, type StoredText } from '../lib/errors.js';

/** Where a message arose: the first exchange, a retry, or the checker giving up on an action. */
export type ActionStage = 'send' | 'retry' | 'notSent' | 'notRetried';

export interface ActionError {
  /** The English text, as `nas_actions.error` has always held it. */
  readonly text: string;
  /** The same by catalogue key, in order. */
  readonly messages: readonly LocalText[];
}

/** One error from its messages: their English texts joined as the action log always joined them. */
export function actionError(...messages: readonly LocalText[]): ActionError {
  return { text: messages.map((m) => m.text).join('; '), messages };
}

/** A later message added to an error already recorded (the RouterOS fallback after a timeout). */
export function andThen(before: ActionError | null, next: LocalText): ActionError {
  return before ? { text: `${before.text}; ${next.text}`, messages: [...before.messages, next] } : actionError(next);
}

/** The error as `nas_actions.error_message` stores it: JSON `[{key, values}]`. */
export function storedErrorMessage(e: ActionError | null | undefined): string | null {
  if (!e) return null;
  return JSON.stringify(e.messages.map((m) => (m.values ? { key: m.key, values: m.values } : { key: m.key })));
}

/** A stored error back from its column: null when there is none, or it is not what storedErrorMessage wrote. */
export function parseErrorMessage(stored: string | null): StoredText[] | null {
  const list = parseStored(stored);
  if (!Array.isArray(list) || list.length === 0) return null;
  const out = list.map(storedText);
  return out.every((m) => m !== null) ? (out as StoredText[]) : null;
}

/**
 * A message the first exchange recorded, said again for a retry ("retry: the session has no NAS on
 * record"): the same key, the stage `retry`.
 */
export function onRetry(m: LocalText): LocalText {
  return said(m.key, `${PREFIX.retry}${m.text}`, { ...m.values, stage: 'retry' });
}

/** The English prefix each stage puts before a message the checker records. */
const PREFIX: Record<ActionStage, string> = { send: '', retry: 'retry: ', notSent: 'not sent: ', notRetried: 'not retried: ' };

/** The messages of the action log, each with its English text exactly as the log has always said it. */
export const why = {
  noNas: (): LocalText => said('actionError.noNas', 'the session has no NAS on record', { stage: 'send' }),
  rangeAddress: (address: string, nasIp: string | null): LocalText =>
    said('actionError.rangeAddress', `the NAS address ${address} is a range and the session's NAS-IP-Address (${nasIp ?? 'none'}) is not in it: no address to send to`, { stage: 'send', address, nasIp: nasIp ?? '—' }),
  /** The request could not go out: the socket's or the client's own words. */
  sendFailed: (words: string, stage: ActionStage = 'send'): LocalText => said('actionError.sendFailed', `${PREFIX[stage]}${words}`, { words, stage }),
  noAnswer: (transmissions: number): LocalText => said('actionError.noAnswer', `no answer after ${transmissions} transmission(s)`, { n: transmissions }),
  retryNoAnswer: (): LocalText => said('actionError.retryNoAnswer', 'retry: no answer'),
  /** The RouterOS API's answer (or why it could not be reached), on the fallback or its retry. */
  routerOs: (words: string, stage: 'send' | 'retry' = 'send'): LocalText =>
    said('actionError.routerOs', stage === 'retry' ? `retry through RouterOS: ${words}` : `RouterOS: ${words}`, { words, stage }),
  retryNak: (cause: number | null, causeName: string | null): LocalText =>
    said('actionError.retryNak', `retry NAKed${causeName ? ` (${causeName})` : ''}`, { cause: cause === null || !causeName ? 'none' : String(cause), causeName: causeName ?? '' }),
  superseded: (stage: ActionStage, id: number, kind: string, outcome: string): LocalText =>
    said('actionError.superseded', `${PREFIX[stage]}superseded by action ${id} (${kind}, ${outcome}) on the same session`, { stage, id: String(id), kind, outcome }),
  serviceGone: (stage: ActionStage): LocalText => said('actionError.serviceGone', `${PREFIX[stage]}the service is gone`, { stage }),
  nothingApplies: (stage: ActionStage): LocalText => said('actionError.nothingApplies', `${PREFIX[stage]}nothing a CoA carries applies to the service any more`, { stage }),
  /**
   * The service would now be refused: `reason` is the refusal's English text, `refusal` its catalogue
   * message when it has one (its values go along as `reason.<name>`).
   */
  wouldBeRefused: (stage: ActionStage, reason: string, refusal?: { key: string; values?: Readonly<Record<string, string>> | undefined }): LocalText =>
    said('actionError.wouldBeRefused', `${PREFIX[stage]}the service would now be refused (${reason}): the session is disconnected instead`, {
      stage, reason, reasonKey: refusal?.key ?? '',
      ...Object.fromEntries(Object.entries(refusal?.values ?? {}).map(([k, v]) => [`reason.${k}`, v])),
    }),
  sessionGone: (stage: ActionStage = 'send'): LocalText => said('actionError.sessionGone', `${PREFIX[stage]}the session record is gone`, { stage }),
  senderStopped: (): LocalText => said('actionError.senderStopped', 'its sender stopped before recording an answer; the session has ended'),
  neverConfirmed: (): LocalText => said('actionError.neverConfirmed', 'ACKed, retried, and accounting never confirmed it'),
};
