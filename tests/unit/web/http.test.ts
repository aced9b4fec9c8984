// The admin UI's one API client (web/src/data/http.ts) and the paths the resource modules name,
// against a stubbed fetch: the CSRF header on writes only, problem+json turned into ApiError with
// its field messages, and a 401 outside /auth telling the app shell the session is gone.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, setCsrf } from '../../../web/src/data/http.js';
import { listCustomers } from '../../../web/src/data/customers.js';
import { invoicePdfUrl, listCreditNotes } from '../../../web/src/data/invoices.js';
import { nasOnboarding, nasSelfTest } from '../../../web/src/data/nas.js';
import { revertTemplate, saveTemplate } from '../../../web/src/data/notifications.js';
import { updateRole } from '../../../web/src/data/admins.js';
import { listSessions, sessionsCsvUrl } from '../../../web/src/data/sessions.js';
import { batchCsvUrl } from '../../../web/src/data/vouchers.js';

interface Sent { url: string; method: string; headers: Record<string, string>; body: unknown }
let sent: Sent[];
let answer: () => Response;

beforeEach(() => {
  sent = [];
  answer = () => new Response(JSON.stringify({ items: [], next: null }), { status: 200, headers: { 'content-type': 'application/json' } });
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    sent.push({ url, method: init.method ?? 'GET', headers: Object.fromEntries(new Headers(init.headers)), body: init.body === undefined ? undefined : JSON.parse(String(init.body)) });
    return answer();
  });
  vi.stubGlobal('window', new EventTarget());
  setCsrf(undefined);
});
afterEach(() => vi.unstubAllGlobals());

describe('requests', () => {
  it('name the resource under /api/v1 with the query, leaving out empty values', async () => {
    const cases: Array<[() => Promise<unknown>, string, string, unknown]> = [
      [() => listCustomers({ q: 'ada', limit: 25, cursor: undefined }), 'GET', '/api/v1/customers?q=ada&limit=25', undefined],
      [() => listSessions({ serviceId: 3, active: true, limit: 20 }), 'GET', '/api/v1/sessions?serviceId=3&active=true&limit=20', undefined],
      [() => listCreditNotes({ invoiceId: 7 }), 'GET', '/api/v1/credit-notes?invoiceId=7', undefined],
      [() => nasOnboarding(2, '6'), 'GET', '/api/v1/nas/2/onboarding?routerosVersion=6', undefined],
      [() => nasSelfTest(2), 'POST', '/api/v1/nas/2/self-test', {}],
      [() => nasSelfTest(2, '10.0.0.1'), 'POST', '/api/v1/nas/2/self-test', { host: '10.0.0.1' }],
      [() => revertTemplate({ key: 'invoice.reminder.1', channel: 'sms', language: 'it', allLanguages: true }), 'DELETE', '/api/v1/notification-templates/invoice.reminder.1/sms', undefined],
      [() => revertTemplate({ key: 'invoice.reminder.1', channel: 'sms', language: 'es', allLanguages: false }), 'DELETE', '/api/v1/notification-templates/invoice.reminder.1/sms?language=es', undefined],
      [() => saveTemplate({ key: 'cap.80', channel: 'email', language: 'it' }, { subject: 'S', body: 'B' }), 'PUT', '/api/v1/notification-templates/cap.80/email?language=it', { subject: 'S', body: 'B' }],
      [() => updateRole('field tech', { description: '' }), 'PATCH', '/api/v1/roles/field%20tech', { description: '' }],
    ];
    for (const [call, method, url, body] of cases) {
      sent = [];
      await call();
      expect(sent).toMatchObject([{ method, url }]);
      expect(sent[0]!.body).toEqual(body);
    }
  });

  it('give the addresses the browser opens itself', () => {
    expect(invoicePdfUrl(12)).toBe('/api/v1/invoices/12/pdf');
    expect(sessionsCsvUrl({ active: true })).toBe('/api/v1/exports/sessions.csv?active=true');
    expect(sessionsCsvUrl()).toBe('/api/v1/exports/sessions.csv');
    expect(batchCsvUrl(4)).toBe('/api/v1/vouchers/batches/4/vouchers.csv');
  });

  it('carry the CSRF token on writes only', async () => {
    setCsrf('tok');
    await listCustomers();
    await nasSelfTest(1);
    expect(sent[0]!.headers['x-csrf-token']).toBeUndefined();
    expect(sent[1]!.headers).toMatchObject({ 'x-csrf-token': 'tok', 'content-type': 'application/json' });
  });
});

describe('errors', () => {
  it('turn problem+json into ApiError with the messages per field, joined when one field has several', async () => {
    answer = () => new Response(JSON.stringify({
      type: 'about:blank', title: 'Unprocessable', status: 422, code: 'validation', detail: 'the body is not valid',
      errors: [{ field: 'name', message: 'is required' }, { field: 'lines.0.amount', message: 'too much' }, { field: 'name', message: 'is too short' }],
    }), { status: 422, headers: { 'content-type': 'application/problem+json' } });
    const err = await listCustomers().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 422, code: 'validation', message: 'the body is not valid', fields: { name: 'is required; is too short', 'lines.0.amount': 'too much' } });
  });

  it('name the status when the answer is no problem document, and the network when there is no answer', async () => {
    answer = () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' });
    await expect(listCustomers()).rejects.toMatchObject({ status: 502, code: 'http_502', message: '502 Bad Gateway' });
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(listCustomers()).rejects.toMatchObject({ status: 0, code: 'network', message: 'the server did not answer (Failed to fetch)' });
  });

  it('tell the app shell the session is gone on a 401, except from the sign-in calls themselves', async () => {
    const signedOut = vi.fn();
    window.addEventListener('tg-signed-out', signedOut);
    answer = () => new Response(JSON.stringify({ code: 'unauthorized', detail: 'sign in' }), { status: 401 });
    await expect(listCustomers()).rejects.toBeInstanceOf(ApiError);
    expect(signedOut).toHaveBeenCalledTimes(1);
    const { login } = await import('../../../web/src/data/auth.js');
    await expect(login('a', 'b')).rejects.toMatchObject({ status: 401 });
    expect(signedOut).toHaveBeenCalledTimes(1);
  });
});
