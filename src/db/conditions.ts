import type { Param } from './sql.js';

/** One condition of a WHERE clause with its parameters in order, in SQL both backends read. */
export interface Condition {
  sql: string;
  args: Param[];
}

/**
 * The WHERE clause of a filtered list, built one optional filter at a time with its arguments in
 * step: `new Conditions().when(f.nasId, 'nas_id = ?')` adds the condition only when the filter is set.
 */
export class Conditions {
  readonly #parts: string[] = [];
  readonly args: Param[] = [];

  /** Adds `sql` with `value` as its argument when `value` is not undefined. */
  when(value: Param | undefined, sql: string): this {
    if (value !== undefined) this.add(sql, value);
    return this;
  }

  add(sql: string, ...args: Param[]): this {
    this.#parts.push(sql);
    this.args.push(...args);
    return this;
  }

  /** `where a and b`, or nothing when no filter was set. */
  get sql(): string {
    return this.#parts.length > 0 ? `where ${this.#parts.join(' and ')}` : '';
  }
}
