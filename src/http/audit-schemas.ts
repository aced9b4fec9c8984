// Imports only typebox and the other schema modules: the web's typecheck reads this file for the API's types.
import { Type } from 'typebox';
import { ListQuery } from './schemas.js';

/** Schemas of the audit log: its filters and its entries. */

const Instant = Type.String({ format: 'date-time', description: 'ISO 8601 instant in UTC' });
const Text = (max: number, description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: max, description }));

export const AuditQuery = Type.Object(
  {
    ...ListQuery.properties,
    actor: Text(100, 'exact actor: `admin:3`, `token:7`, `cli`, `system`'),
    entity: Text(64, 'exact entity: `customer`, `service`, `nas`, `plan`, `invoice`…'),
    entityId: Text(64, 'exact id of the entity'),
    action: Text(64, 'exact action: `create`, `update`, `delete`, `run`…'),
    from: Type.Optional({ ...Instant, description: 'at or after this instant' }),
    to: Type.Optional({ ...Instant, description: 'before this instant' }),
    q: Text(200, 'free text, found in the actor, the entity id, the action or the values before and after'),
  },
  { additionalProperties: false },
);

export const AuditEntrySchema = Type.Object({
  id: Type.Integer(),
  at: Instant,
  actor: Type.String(),
  actorIp: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  entity: Type.String(),
  entityId: Type.Union([Type.String(), Type.Null()]),
  before: Type.Unknown({ description: 'the record before the change (null for a create), secrets redacted' }),
  after: Type.Unknown({ description: 'the record after the change (null for a delete), secrets redacted' }),
});
