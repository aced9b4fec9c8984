// Imports only typebox and the other schema modules: the web's typecheck reads this file for the API's types.
/** Query schemas of the lists: filters, search and the sort orders each resource allows. */
import { Type, type TObject, type TSchema } from 'typebox';
import { ListQuery } from './schemas.js';

const ServiceStatus = Type.Union(['proposal', 'active', 'suspended', 'ended', 'free'].map((s) => Type.Literal(s)));
const Id = Type.Integer({ minimum: 1 });

/** `sort=field` ascending or `sort=-field` descending, among `fields`; ties are ordered by id. */
export function sortParam(fields: readonly string[]) {
  return Type.Union(
    fields.flatMap((f) => [Type.Literal(f), Type.Literal(`-${f}`)]),
    { description: `order by a field, ascending, or descending with a leading "-" (ties by id): ${fields.join(', ')}` },
  );
}

/** The list query with `sort` added when the resource has sort fields. */
export function withSort(query: TObject, fields: readonly string[] | undefined): TObject {
  if (!fields?.length) return query;
  return Type.Object({ ...query.properties, sort: Type.Optional(sortParam(fields)) }, { additionalProperties: false });
}

/** The same query without paging, for CSV exports that stream every match. */
export function withoutPaging(query: TObject): TObject {
  const { limit: _l, cursor: _c, ...rest } = query.properties as Record<string, TSchema>;
  return Type.Object(rest, { additionalProperties: false });
}

export const NasListQuery = Type.Object(
  { ...ListQuery.properties, vendor: Type.Optional(Type.Union([Type.Literal('mikrotik'), Type.Literal('generic')])) },
  { additionalProperties: false },
);

export const PlanListQuery = Type.Object(
  { ...ListQuery.properties, type: Type.Optional(Type.Union([Type.Literal('recurring'), Type.Literal('prepaid')])) },
  { additionalProperties: false },
);

export const CustomerListQuery = Type.Object(
  {
    ...ListQuery.properties,
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'search: words of the name, email or phone (prefixes, any order), a username, a MAC in any notation, a static IP or its dotted prefix, phone digits',
      }),
    ),
    email: Type.Optional(Type.String({ maxLength: 254, description: 'exact email, case-insensitive' })),
  },
  { additionalProperties: false },
);

export const ServiceListQuery = Type.Object(
  {
    ...ListQuery.properties,
    customerId: Type.Optional(Id),
    planId: Type.Optional(Id),
    status: Type.Optional(ServiceStatus),
    username: Type.Optional(Type.String({ maxLength: 253 })),
    macAddress: Type.Optional(Type.String({ maxLength: 32, description: 'a MAC in any common notation' })),
    staticIp: Type.Optional(Type.String({ maxLength: 45 })),
  },
  { additionalProperties: false },
);
