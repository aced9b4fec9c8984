import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorCodes, type ErrorCode } from '../lib/error-codes.js';
import { TollgateError } from '../lib/errors.js';
import { isDatabaseUnreachable, isStorageFailure } from '../db/storage-health.js';

export type { ErrorCode } from '../lib/error-codes.js';

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

export function problem(code: ErrorCode, detail: string, errors?: FieldError[]): Problem {
  const { status, title } = errorCodes[code];
  return { type: `https://tollgate.dev/problems/${code.replace(/_/g, '-')}`, title, status, detail, code, ...(errors ? { errors } : {}) };
}

/**
 * A thrown TollgateError keeps the field it names; otherwise the catalogue's field for its code, if
 * any. One that found several fields at fault at once lists them all in `details.fields`, so a form
 * marks every one, not only the first.
 */
export function problemOf(error: TollgateError): Problem {
  const many = error.details?.['fields'];
  if (Array.isArray(many) && many.length > 0 && many.every(isFieldError)) return problem(error.code, error.message, many);
  const field = error.field ?? errorCodes[error.code].field;
  if (!field) return problem(error.code, error.message);
  return problem(error.code, `${field}: ${error.message}`, [{ field, message: error.message }]);
}

function isFieldError(v: unknown): v is FieldError {
  return typeof v === 'object' && v !== null && typeof (v as FieldError).field === 'string' && typeof (v as FieldError).message === 'string';
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send(p);
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Turns ajv's errors into field errors named as the API names them (`name`, `lines.0.amount`). */
function fieldErrors(errors: AjvError[], part: string): FieldError[] {
  return errors.map((e) => {
    const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const extra = (e.params.missingProperty ?? e.params.additionalProperty) as string | undefined;
    const field = [path, extra].filter(Boolean).join('.') || part;
    const message =
      e.keyword === 'additionalProperties'
        ? 'is not a known field'
        : e.keyword === 'required'
          ? 'is required'
          : (e.message ?? 'is invalid');
    return { field, message };
  });
}

const partName: Record<string, string> = { body: 'body', querystring: 'query', params: 'path', headers: 'headers' };

export function errorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err instanceof TollgateError) {
    const p = problemOf(err);
    // Not a bug of ours, but a failure on our side the operator should see (a router down, a stop).
    if (p.status >= 500) request.log.warn({ err }, 'request failed');
    return sendProblem(reply, p);
  }
  const error = err as FastifyError;
  if (error.validation) {
    const part = partName[error.validationContext ?? 'body'] ?? 'body';
    const errors = fieldErrors(error.validation as AjvError[], part);
    const detail = errors.map((e) => `${e.field} ${e.message}`).join('; ');
    return sendProblem(reply, problem('invalid_input', `invalid ${part}: ${detail}`, errors));
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendProblem(reply, problem('payload_too_large', 'the request body is too large', [{ field: 'body', message: 'is larger than the configured limit (http.body_limit_bytes)' }]));
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return sendProblem(reply, problem('unsupported_media_type', 'send JSON (application/json)'));
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
    return sendProblem(reply, problem('bad_request', 'the body is not valid JSON', [{ field: 'body', message: 'is not valid JSON' }]));
  }
  // A full disk, an I/O error or a read-only file: not the request's fault, and not a bug either.
  if (isStorageFailure(err)) {
    request.log.error({ err: error }, 'storage unavailable');
    return sendProblem(reply, problem('storage_unavailable', 'storage unavailable: the database cannot take writes (disk full or I/O error); retry later'));
  }
  // PostgreSQL restarting or failing over: the client retries in a moment, as a NAS does.
  if (isDatabaseUnreachable(err)) {
    request.log.error({ err: error }, 'database unreachable');
    reply.header('retry-after', '5');
    return sendProblem(reply, problem('database_unavailable', 'the database cannot be reached (restarting or failing over to its standby); retry in a few seconds'));
  }
  if (error.statusCode === 429) return sendProblem(reply, problem('rate_limited', error.message));
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return reply.code(error.statusCode).type('application/problem+json').send({
      type: 'about:blank', title: error.name, status: error.statusCode, detail: error.message, code: 'bad_request',
    });
  }
  request.log.error({ err: error }, 'unhandled error');
  return sendProblem(reply, problem('internal', 'an internal error occurred; it has been logged'));
}
