// Why a network action failed, by catalogue key beside its English text: the English the action log
// has always held is what the English catalogue says, the stored form reads back, and Italian and
// Spanish readers get their own words with a router's words quoted as said.
import { describe, expect, it } from 'vitest';
import { actionError, andThen, onRetry, parseErrorMessage, storedErrorMessage, why, type ActionError } from '../../../src/nas/action-errors.js';
import { isMessageKey, translate } from '../../../src/i18n/messages.js';
import type { LocalText } from '../../../src/lib/errors.js';

const english = (m: LocalText) => (isMessageKey(m.key) ? translate('en', m.key, m.values) : `missing key ${m.key}`);

/** Every message the action log can record, each with the English the log held before keys were stored. */
const CASES: Array<[LocalText, string]> = [
  [why.noNas(), 'the session has no NAS on record'],
  [why.rangeAddress('10.0.0.0/24', '10.9.9.9'), "the NAS address 10.0.0.0/24 is a range and the session's NAS-IP-Address (10.9.9.9) is not in it: no address to send to"],
  [why.sendFailed('send EHOSTUNREACH 10.0.0.1:3799'), 'send EHOSTUNREACH 10.0.0.1:3799'],
  [why.sendFailed('client closed', 'retry'), 'retry: client closed'],
  [why.noAnswer(3), 'no answer after 3 transmission(s)'],
  [why.retryNoAnswer(), 'retry: no answer'],
  [why.routerOs('connect ECONNREFUSED 10.0.0.1:8728'), 'RouterOS: connect ECONNREFUSED 10.0.0.1:8728'],
  [why.routerOs('no such item', 'retry'), 'retry through RouterOS: no such item'],
  [why.retryNak(503, 'Session-Context-Not-Found'), 'retry NAKed (Session-Context-Not-Found)'],
  [why.retryNak(null, null), 'retry NAKed'],
  [why.superseded('notRetried', 12, 'disconnect', 'acked'), 'not retried: superseded by action 12 (disconnect, acked) on the same session'],
  [why.serviceGone('notSent'), 'not sent: the service is gone'],
  [why.nothingApplies('notRetried'), 'not retried: nothing a CoA carries applies to the service any more'],
  [why.wouldBeRefused('notRetried', 'service suspended', { key: 'aaa.suspended' }), 'not retried: the service would now be refused (service suspended): the session is disconnected instead'],
  [why.sessionGone(), 'the session record is gone'],
  [why.sessionGone('notSent'), 'not sent: the session record is gone'],
  [why.senderStopped(), 'its sender stopped before recording an answer; the session has ended'],
  [why.neverConfirmed(), 'ACKed, retried, and accounting never confirmed it'],
  [onRetry(why.noNas()), 'retry: the session has no NAS on record'],
];

describe('the action log’s error messages', () => {
  it('keep the English text the log always held, and the English catalogue says exactly that', () => {
    for (const [m, text] of CASES) {
      expect(m.text).toBe(text);
      expect(english(m), m.key).toBe(text);
    }
  });

  it('read differently in Italian and Spanish, a router’s or socket’s words quoted as said', () => {
    for (const [m] of CASES) {
      if (!isMessageKey(m.key)) throw new Error(m.key);
      for (const l of ['it', 'es'] as const) expect(translate(l, m.key, m.values), `${l} ${m.key}`).not.toBe(m.text);
    }
    const router = why.routerOs('no such item');
    expect(translate('it', 'actionError.routerOs', router.values)).toBe('RouterOS: il router ha risposto «no such item»');
    expect(translate('es', 'actionError.noAnswer', why.noAnswer(1).values)).toBe('sin respuesta tras 1 envío');
    expect(translate('it', 'actionError.superseded', why.superseded('notSent', 7, 'coa', 'pending').values)).toBe('non inviata: sostituita dall’azione 7 (coa, pending) sulla stessa sessione');
  });

  it('join a timeout and the RouterOS fallback as the log did, and store and read back both parts', () => {
    const e: ActionError = andThen(actionError(why.noAnswer(3)), why.routerOs('connection refused'));
    expect(e.text).toBe('no answer after 3 transmission(s); RouterOS: connection refused');
    expect(parseErrorMessage(storedErrorMessage(e))).toEqual([
      { key: 'actionError.noAnswer', values: { n: '3' } },
      { key: 'actionError.routerOs', values: { words: 'connection refused', stage: 'send' } },
    ]);
    expect(andThen(null, why.routerOs('x')).text).toBe('RouterOS: x');
  });

  it('read nothing from an empty or foreign column', () => {
    expect(storedErrorMessage(null)).toBeNull();
    expect(parseErrorMessage(null)).toBeNull();
    expect(parseErrorMessage('timeout')).toBeNull();
    expect(parseErrorMessage('[]')).toBeNull();
    expect(parseErrorMessage('[{"values":{}}]')).toBeNull();
  });
});
