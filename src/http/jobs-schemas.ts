// Imports only typebox: the web's typecheck reads this file for the API's types.
import { Type, type TSchema } from 'typebox';

/** Schemas of the scheduled jobs' state (`GET /api/v1/jobs`). */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const JobItem = Type.Object({
  name: Type.String(), order: Type.Integer(), lastDate: Nullable(Type.String()), lastStartedAt: Nullable(Type.String()),
  lastFinishedAt: Nullable(Type.String()), failures: Type.Integer(), lastError: Nullable(Type.String({ description: 'the last failure, in English (a peer\'s words as it said them)' })),
  lastErrorCode: Nullable(Type.String({ description: "`lastError` by the UI's message catalogue key (jobError.*, fault.*…), to word it in the reader's language; null: none, or an older row" })),
  lastErrorValues: Nullable(Type.Record(Type.String(), Type.String(), { description: 'the values the keyed message takes; `words` is a peer\'s (or our English) text as said' })),
  lastErrorAt: Nullable(Type.String()),
  failedDate: Nullable(Type.String()), nextRetryAt: Nullable(Type.String()), status: Type.Union([Type.Literal('ok'), Type.Literal('failing')]),
});
export const Jobs = Type.Object({
  timezone: Type.String(), runAt: Type.String(), dueDate: Type.String({ description: 'the latest date due now' }),
  nextRunAt: Nullable(Type.String()), lease: Nullable(Type.Object({ holder: Type.String(), expiresAt: Type.String() })),
  items: Type.Array(JobItem), next: Type.Null(),
});
