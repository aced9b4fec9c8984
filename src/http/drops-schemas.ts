// Imports only typebox: the web's typecheck reads this file for the API's types.
import { Type } from 'typebox';

/** Schemas of the RADIUS drops an operator can fix (`/api/v1/radius-drops`, per NAS, per service). */

const Instant = Type.String({ format: 'date-time' });
const Id = Type.Integer({ minimum: 1 });
const Reason = Type.Union(
  ['missing_message_authenticator', 'bad_message_authenticator', 'bad_authenticator', 'unknown_client', 'eap_without_message_authenticator'].map((r) => Type.Literal(r)),
  { description: 'missing_message_authenticator: required by the NAS entry and absent; bad_message_authenticator / bad_authenticator: wrong shared secret; unknown_client: no NAS entry covers the source address' },
);
const Hint = Type.Object({
  text: Type.String({ description: 'what happened and what fixes it' }),
  routeros: Type.Union([Type.String(), Type.Null()], { description: 'the RouterOS command that fixes it (placeholders in angle brackets)' }),
});
const Since = Type.String({ format: 'date-time', description: 'when counting started (the daemon keeps drops in memory: they start again at each start, per node)' });

export const DropCounter = Type.Object({
  nasId: Type.Union([Id, Type.Null()], { description: 'null: no NAS entry covers the source' }),
  source: Type.String({ description: 'the source address last seen' }),
  reason: Reason,
  count: Type.Integer({ minimum: 1 }),
  firstAt: Instant,
  lastAt: Instant,
  lastUsername: Type.Union([Type.String(), Type.Null()], { description: 'User-Name of the last request dropped (as sent: unverified)' }),
  hint: Hint,
});
export const DropCounters = Type.Object({ since: Since, items: Type.Array(DropCounter, { description: 'most recently seen first' }) });

export const DroppedRequest = Type.Object({
  at: Instant,
  nasId: Type.Union([Id, Type.Null()]),
  source: Type.String(),
  reason: Reason,
  username: Type.String({ description: 'as sent: unverified' }),
  hint: Hint,
});
export const DroppedRequests = Type.Object({ since: Since, items: Type.Array(DroppedRequest, { description: 'newest first' }) });

export const DropCountersQuery = Type.Object(
  {
    nasId: Type.Optional(Id),
    unknown: Type.Optional(Type.Boolean({ description: 'true: only sources no NAS entry covers' })),
  },
  { additionalProperties: false },
);
export const DroppedRequestsQuery = Type.Object(
  {
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
    nasId: Type.Optional(Id),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  },
  { additionalProperties: false },
);
