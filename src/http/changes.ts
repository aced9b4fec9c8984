/**
 * What a successful write through the API changed, as the RADIUS caches read it (published after
 * the write committed; src/aaa/server.ts acts on it, src/db/pg-changes.ts tells the other nodes).
 * A path that names a row names what changed; a create at a collection names the row its answer
 * carries; anything else (an import, a bulk action) changes the whole kind.
 */
import { allOf, rowsOf, type CachedEntity, type Change } from '../lib/topic.js';

const ENTITIES: Readonly<Record<string, CachedEntity>> = { nas: 'nas', plans: 'plan', services: 'service', customers: 'customer' };
const PATH = /^\/api\/v1\/(nas|plans|services|customers)(?:\/(\d+))?(\/[^?]*)?(?:\?|$)/;

/** undefined: the write touched nothing the caches hold. `answer` is the serialized reply (onSend's payload). */
export function changeOf(method: string, url: string, answer: unknown): Change | undefined {
  const m = PATH.exec(url);
  const entity = m ? ENTITIES[m[1]!] : undefined;
  if (!m || !entity) return undefined;
  const id = m[2] === undefined ? undefined : Number(m[2]);
  if (id !== undefined && Number.isSafeInteger(id)) {
    // A deleted customer's services are not found by the customer any more: reload them all.
    return method === 'DELETE' && entity === 'customer' && m[3] === undefined ? allOf(entity) : rowsOf(entity, [id]);
  }
  if (method === 'POST' && m[3] === undefined && typeof answer === 'string') {
    const created = idIn(answer);
    if (created !== undefined) return rowsOf(entity, [created]);
  }
  return allOf(entity);
}

function idIn(answer: string): number | undefined {
  try {
    const id: unknown = (JSON.parse(answer) as { id?: unknown } | null)?.id;
    return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : undefined;
  } catch {
    return undefined;
  }
}
