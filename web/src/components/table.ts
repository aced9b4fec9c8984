// A list over a list endpoint, one page at a time (cursor pagination). The page hands it the data
// function of the resource (`load`) and the filters (`query`); new filters start again at page one.
import { LitElement, css, html, nothing } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { Task, initialState } from '@lit/task';
import type { Page, Paging, Query } from '../data/http.js';
import { base, errorText } from '../ui.js';
import { t } from '../i18n.js';

export interface Column<T> {
  label: string;
  render: (row: T) => unknown;
  num?: boolean;
  /** A secondary column: left out on a phone (of the table and of its cards). */
  hideSmall?: boolean;
}

/** A resource's list function, as the data modules export them. */
export type Lister<T> = (query: Paging & Query) => Promise<Page<T>>;

/** What a page of rows depends on: the list function, the filters' key, the cursors, the page size. */
type RowsArgs<T> = readonly [Lister<T> | undefined, string, Array<string | undefined>, number];

export class TgTable<T = unknown> extends LitElement {
  // On a phone each row is a card: one line per cell, labelled by its column's header (data-label), so
  // nothing runs off the screen and no column is lost. The header row stays for screen readers.
  static override styles = [base, css`
    :host { display: block; }
    @media (max-width: 700px) {
      .table-wrap { overflow-x: visible; }
      table.cards { background: transparent; }
      table.cards thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
      table.cards, table.cards tbody, table.cards tr { display: block; width: 100%; }
      table.cards tr { background: #fff; border: 1px solid #dde3ea; border-radius: 8px; margin-bottom: 0.6rem; padding: 0.2rem 0.7rem; }
      table.cards td:not(.hide-sm) { display: flex; justify-content: space-between; gap: 1rem; white-space: normal; overflow-wrap: anywhere; text-align: right; }
      table.cards td:last-child { border-bottom: 0; }
      table.cards td[data-label]::before { content: attr(data-label); flex: none; max-width: 45%; text-align: left; font-weight: 600; font-size: 0.85rem; color: #5b6b7c; }
      table.cards td:empty { display: none; }
    }
  `];
  static override properties = {
    load: { attribute: false },
    query: { attribute: false },
    columns: { attribute: false },
    rowHref: { attribute: false },
    empty: {},
    limit: { type: Number },
    cursors: { state: true },
  };
  declare load: Lister<T> | undefined;
  declare query: Query;
  declare columns: Array<Column<T>>;
  declare rowHref: ((row: T) => string) | undefined;
  declare empty: string;
  declare limit: number;
  /** The cursor of each page up to the one shown (undefined: the first). */
  declare cursors: Array<string | undefined>;
  private loaded: Lister<T> | undefined;
  /** The filters as last loaded: pages hand a new but equal object on every render of theirs. */
  private key = '';

  // The filters take part as their key: an equal object handed again must not load the page again.
  private readonly rows = new Task(this, {
    task: ([load, , cursors, limit]: RowsArgs<T>) => (load ? load({ ...this.query, limit, cursor: cursors[cursors.length - 1] }) : initialState),
    args: (): RowsArgs<T> => [this.load, this.key, this.cursors, this.limit],
  });

  constructor() {
    super();
    this.query = {};
    this.columns = [];
    this.empty = '';
    this.limit = 25;
    this.cursors = [undefined];
  }

  protected override willUpdate(): void {
    const key = JSON.stringify(this.query);
    if (key !== this.key || this.load !== this.loaded) {
      this.key = key;
      this.loaded = this.load;
      this.cursors = [undefined];
    }
  }

  /** Loads the current page again (after a change made elsewhere on the page). */
  async reload(): Promise<void> {
    await this.rows.run();
  }

  private page(dir: 1 | -1, next: string | null): void {
    if (dir === 1 && next) this.cursors = [...this.cursors, next];
    if (dir === -1 && this.cursors.length > 1) this.cursors = this.cursors.slice(0, -1);
  }

  override render() {
    return this.rows.render({
      initial: () => this.table([], null, false),
      // Until the next page arrives the current one stays, with a loading line under it.
      pending: () => this.table(this.rows.value?.items ?? [], this.rows.value?.next ?? null, true),
      complete: (page) => this.table(page.items, page.next, false),
      error: (err) => html`<div class="banner error">${errorText(err)}</div>`,
    });
  }

  private table(rows: T[], next: string | null, loading: boolean) {
    const first = this.cursors.length === 1;
    return html`
      <div class="table-wrap">
        <table class="cards">
          <thead><tr>${this.columns.map((c) => html`<th scope="col" class="${c.num ? 'num' : ''} ${c.hideSmall ? 'hide-sm' : ''}">${c.label}</th>`)}</tr></thead>
          <tbody>
            ${rows.length === 0 && !loading ? html`<tr><td colspan=${this.columns.length} class="muted">${this.empty || t('table.empty')}</td></tr>` : nothing}
            ${rows.map((r) => {
              const href = this.rowHref?.(r);
              return html`<tr class=${href ? 'link' : ''} @click=${href ? (e: Event) => this.open(e, href) : undefined}>
                ${this.columns.map((c) => html`<td class="${c.num ? 'num' : ''} ${c.hideSmall ? 'hide-sm' : ''}" data-label=${ifDefined(c.label || undefined)}>${c.render(r)}</td>`)}
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
      ${first && !next ? nothing : html`<div class="pager">
        <button class="secondary" ?disabled=${first} @click=${() => this.page(-1, next)}>‹ ${t('table.previous')}</button>
        <span class="muted">${t('table.page', { n: this.cursors.length })}</span>
        <button class="secondary" ?disabled=${!next} @click=${() => this.page(1, next)}>${t('table.next')} ›</button>
      </div>`}
      ${loading ? html`<div class="muted" role="status">${t('common.loading')}</div>` : nothing}
    `;
  }

  private open(e: Event, href: string): void {
    if (e.target instanceof Element && e.target.closest('a, button')) return;
    history.pushState(null, '', href);
    window.dispatchEvent(new PopStateEvent('popstate'));
  }
}
customElements.define('tg-table', TgTable);

declare global {
  interface HTMLElementTagNameMap {
    'tg-table': TgTable;
  }
}
