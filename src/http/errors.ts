import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorCodes, type ErrorCode } from '../lib/error-codes.js';
import { said, TollgateError, type LocalText } from '../lib/errors.js';
import { isDatabaseUnreachable, isStorageFailure } from '../db/storage-health.js';
import { isLocale, negotiate, type Locale } from '../i18n/locales.js';
import { isMessageKey, translate, type MessageKey } from '../i18n/messages.js';

export type { ErrorCode } from '../lib/error-codes.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The installation's language (`[locale] default`): problems for a reader who names none. */
    defaultLanguage?: Locale;
  }
}

export interface FieldError {
  field: string;
  message: string;
}

/**
 * Answers are RFC 9457 problem+json, their status and title taken from the one catalogue
 * (src/lib/error-codes.ts); `errors` lists the fields at fault so a form can show each message beside
 * its field.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
}

/**
 * A text of a problem before the reader's language is known: English as is, English with its
 * catalogue key (LocalText), or made from other texts once the language is known.
 */
export type ProblemText = string | LocalText | ((language: Locale) => string);

/** A problem not yet put in the reader's language; sendProblem renders it. */
export interface ProblemDraft {
  code: ErrorCode;
  detail: ProblemText;
  errors?: Array<{ field: string; message: ProblemText }>;
}

/** The 404 of a path nothing answers (the API's, or a file the admin UI does not have). */
export function noRoute(method: string, path: string): LocalText {
  return said('fault.noRoute', `no route for ${method} ${path}`, { method, path });
}

export function problem(code: ErrorCode, detail: ProblemText, errors?: Array<{ field: string; message: ProblemText }>): ProblemDraft {
  return errors ? { code, detail, errors } : { code, detail };
}

/**
 * A text in `language`. English readers get the English text exactly as thrown (clients and tests
 * written against it keep working, and the log says the same); other readers get the catalogue's
 * message, or the English text for a key the catalogue lacks.
 */
export function say(text: ProblemText, language: Locale): string {
  if (typeof text === 'string') return text;
  if (typeof text === 'function') return text(language);
  if (language === 'en' || !isMessageKey(text.key)) return text.text;
  return translate(language, text.key, text.values);
}

/** The title of a code in `language` (the catalogue's `problem.<code>`; English is error-codes.ts's). */
export function problemTitle(code: ErrorCode, language: Locale): string {
  const key: MessageKey = `problem.${code}`;
  return language === 'en' ? errorCodes[code].title : translate(language, key);
}

/** The answer to send: `code`, `type`, `status` and field names stay; the words are in `language`. */
export function renderProblem(d: ProblemDraft, language: Locale): Problem {
  const { status } = errorCodes[d.code];
  return {
    type: `https://tollgate.dev/problems/${d.code.replace(/_/g, '-')}`, title: problemTitle(d.code, language), status, detail: say(d.detail, language), code: d.code,
    ...(d.errors ? { errors: d.errors.map((e) => ({ field: e.field, message: say(e.message, language) })) } : {}),
  };
}

/**
 * The language a problem is answered in: the signed-in admin's chosen UI language; else the
 * request's Accept-Language (an unauthenticated login, an admin following the browser, a script);
 * else the installation's.
 */
export function readerLanguage(req: FastifyRequest): Locale {
  const own = req.auth?.language;
  if (isLocale(own)) return own;
  return negotiate(req.headers['accept-language'], req.server.defaultLanguage ?? 'en');
}

/**
 * A thrown TollgateError keeps the field it names; otherwise the catalogue's field for its code, if
 * any. One that found several fields at fault at once lists them all in `details.fields`, so a form
 * marks every one, not only the first.
 */
export function problemOf(error: TollgateError): ProblemDraft {
  const many = error.details?.['fields'];
  if (Array.isArray(many) && many.length > 0 && many.every(isFieldError)) {
    const errors = many.map((e) => ({ field: e.field, message: e.local ?? e.message }));
    return problem(error.code, (l) => (l === 'en' ? error.message : errors.map((e) => `${e.field}: ${say(e.message, l)}`).join('; ')), errors);
  }
  const message: ProblemText = error.local ?? error.message;
  const field = error.field ?? errorCodes[error.code].field;
  if (!field) return problem(error.code, message);
  return problem(error.code, (l) => `${field}: ${say(message, l)}`, [{ field, message }]);
}

/** A field at fault in `details.fields`: English `message`, and its catalogue key in `local` when given. */
function isFieldError(v: unknown): v is FieldError & { local?: LocalText } {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as FieldError & { local?: Partial<LocalText> };
  return typeof e.field === 'string' && typeof e.message === 'string' && (e.local === undefined || typeof e.local.key === 'string');
}

/**
 * Sends a problem in the reader's language (readerLanguage, or `language` when the caller knows the
 * reader before the request carries them: the guard refusing a signed-in admin), saying which in
 * Content-Language.
 */
export function sendProblem(reply: FastifyReply, d: ProblemDraft, language: Locale = readerLanguage(reply.request)): FastifyReply {
  const p = renderProblem(d, language);
  return reply.code(p.status).header('content-language', language).type('application/problem+json').send(p);
}

export interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/**
 * Turns ajv's errors into field errors named as the API names them (`name`, `lines.0.amount`), each
 * message with its catalogue key `validation.<keyword>` (ajv's own English stays the English text).
 */
export function fieldErrors(errors: readonly AjvError[], part: string): Array<{ field: string; message: LocalText }> {
  return errors.map((e) => {
    const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const extra = (e.params.missingProperty ?? e.params.additionalProperty) as string | undefined;
    const field = [path, extra].filter(Boolean).join('.') || part;
    const text =
      e.keyword === 'additionalProperties'
        ? 'is not a known field'
        : e.keyword === 'required'
          ? 'is required'
          : (e.message ?? 'is invalid');
    return { field, message: validationText(e, text) };
  });
}

/** ajv's parameters as message values: lists joined, everything as text or number. */
function validationValues(params: Record<string, unknown>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(params)) {
    if (typeof v === 'number' || typeof v === 'string') out[k] = v;
    else if (Array.isArray(v)) out[k] = v.map(String).join(', ');
    else if (typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

/**
 * The key of an ajv error: `validation.<keyword>`, narrowed where the catalogue words a case on its
 * own (`validation.type.integer`, `validation.format.date`, `validation.minLength.empty`); a keyword the
 * catalogue does not know is `validation.invalid`.
 */
function validationText(e: AjvError, text: string): LocalText {
  const values = validationValues(e.params);
  const narrower =
    e.keyword === 'type' && typeof e.params.type === 'string' ? `validation.type.${e.params.type}`
      : e.keyword === 'format' && typeof e.params.format === 'string' ? `validation.format.${e.params.format}`
        : e.keyword === 'minLength' && e.params.limit === 1 ? 'validation.minLength.empty'
          : undefined;
  const key = [narrower, `validation.${e.keyword}`].find((k): k is MessageKey => k !== undefined && isMessageKey(k)) ?? 'validation.invalid';
  return { text, key, values };
}

const partName: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'headers' };

export function errorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof TollgateError) {
    const p = problemOf(err);
    // Not a bug of ours, but a failure on our side the operator should see (a router down, a stop).
    if (errorCodes[p.code].status >= 500) request.log.warn({ err }, 'request failed');
    return sendProblem(reply, p);
  }
  const error = err as FastifyError;
  if (error.validation) {
    const part = partName[error.validationContext ?? 'body'] ?? 'body';
    const errors = fieldErrors(error.validation as AjvError[], part);
    const list = (l: Locale) => errors.map((e) => `${e.field} ${say(e.message, l)}`).join('; ');
    const detail = (l: Locale) => (l === 'en' ? `invalid ${part}: ${list(l)}` : translate(l, 'validation.detail', { part, list: list(l) }));
    return sendProblem(reply, problem('invalid_input', detail, errors));
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendProblem(reply, problem('payload_too_large', said('fault.body.tooLarge', 'the request body is too large'), [{ field: 'body', message: said('fault.body.overLimit', 'is larger than the configured limit (http.body_limit_bytes)') }]));
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendProblem(reply, problem('unsupported_media_type', said('fault.body.sendJson', 'send JSON (application/json)')));
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
    return sendProblem(reply, problem('bad_request', said('fault.body.notJson', 'the body is not valid JSON'), [{ field: 'body', message: said('fault.body.invalidJson', 'is not valid JSON') }]));
  }
  // A full disk, an I/O error or a read-only file: not the request's fault, and not a bug either.
  if (isStorageFailure(err)) {
    request.log.error({ err: error }, 'storage unavailable');
    return sendProblem(reply, problem('storage_unavailable', said('fault.storage', 'storage unavailable: the database cannot take writes (disk full or I/O error); retry later')));
  }
  // PostgreSQL restarting or failing over: the client retries in a moment, as a NAS does.
  if (isDatabaseUnreachable(err)) {
    request.log.error({ err: error }, 'database unreachable');
    reply.header('retry-after', '5');
    return sendProblem(reply, problem('database_unavailable', said('fault.database', 'the database cannot be reached (restarting or failing over to its standby); retry in a few seconds')));
  }
  if (error.statusCode === 429) return sendProblem(reply, problem('rate_limited', error.message));
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    // Another refusal of the framework's: English readers get its own words as they always did,
    // others the catalogue's, with the status it gave.
    const language = readerLanguage(request);
    const localized = language === 'en' ? undefined : renderProblem(problem('bad_request', said('fault.request', error.message, { status: error.statusCode })), language);
    return reply.code(error.statusCode).type('application/problem+json').header('content-language', language).send({
      type: 'about:blank', title: localized?.title ?? error.name, status: error.statusCode, detail: localized?.detail ?? error.message, code: 'bad_request',
    });
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendProblem(reply, problem('internal', said('fault.internal', 'an internal error occurred; it has been logged')));
}
