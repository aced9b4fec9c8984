// The audit log: who changed what.
import { http, type Page, type Paging } from './http.js';

// The schema sits in the audit routes, beside server-only code: a copy of its shape.
export interface AuditEntry { id: number; at: string; actor: string; actorIp: string | null; action: string; entity: string; entityId: string | null; before: unknown; after: unknown }
export interface AuditQuery extends Paging { q?: string; entity?: string; entityId?: string; actor?: string }

export const listAudit = (query: AuditQuery = {}) => http.get<Page<AuditEntry>>('/audit-log', query);
