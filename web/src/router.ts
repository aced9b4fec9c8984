// A few lines of client-side routing: patterns like /customers/:id, History API navigation, and
// clicks on same-origin <a href> (inside shadow roots too) taken over without a page load.

export interface Match {
  name: string;
  params: Record<string, string>;
  query: URLSearchParams;
}

export class Router {
  private readonly routes: Array<{ name: string; re: RegExp; keys: string[] }>;

  constructor(patterns: Record<string, string>, private readonly onChange: (m: Match) => void) {
    this.routes = Object.entries(patterns).map(([name, pattern]) => {
      const keys: string[] = [];
      const re = new RegExp('^' + pattern.replace(/:(\w+)/g, (_m, k: string) => (keys.push(k), '([^/]+)')) + '/?$');
      return { name, re, keys };
    });
    window.addEventListener('popstate', () => this.emit());
    document.addEventListener('click', (e) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const a = e.composedPath().find((n): n is HTMLAnchorElement => n instanceof HTMLAnchorElement);
      if (!a || !a.href || a.target || a.hasAttribute('download')) return;
      const url = new URL(a.href);
      if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
      e.preventDefault();
      this.go(url.pathname + url.search);
    });
  }

  match(path = location.pathname, search = location.search): Match {
    for (const r of this.routes) {
      const m = r.re.exec(path);
      if (m) return { name: r.name, params: Object.fromEntries(r.keys.map((k, i) => [k, decodeURIComponent(m[i + 1]!)])), query: new URLSearchParams(search) };
    }
    return { name: 'not-found', params: {}, query: new URLSearchParams(search) };
  }

  go(to: string, replace = false): void {
    if (to === location.pathname + location.search) return this.emit();
    if (replace) history.replaceState(null, '', to);
    else history.pushState(null, '', to);
    window.scrollTo(0, 0);
    this.emit();
  }

  emit(): void {
    this.onChange(this.match());
  }
}

let current: Router | undefined;
export function setRouter(r: Router): void {
  current = r;
}
export function navigate(to: string, replace = false): void {
  current?.go(to, replace);
}
