// A few lines of client-side routing: patterns like /customers/:id, History API navigation, and
// clicks on same-origin <a href> (inside shadow roots too) taken over without a page load.

export interface Match {
  name: string;
  params: Record<string, string>;
  query: URLSearchParams;
}

export interface CompiledRoute { name: string; re: RegExp; keys: string[] }

/** Patterns like /customers/:id as regular expressions, in the table's order. */
export function compileRoutes(patterns: Record<string, string>): CompiledRoute[] {
  return Object.entries(patterns).map(([name, pattern]) => {
    const keys: string[] = [];
    const re = new RegExp('^' + pattern.replace(/:(\w+)/g, (_m, k: string) => (keys.push(k), '([^/]+)')) + '/?$');
    return { name, re, keys };
  });
}

/** The first route whose pattern matches `path` ('not-found' when none does). */
export function matchPath(routes: readonly CompiledRoute[], path: string, search = ''): Match {
  for (const r of routes) {
    const m = r.re.exec(path);
    if (m) return { name: r.name, params: Object.fromEntries(r.keys.map((k, i) => [k, decodeURIComponent(m[i + 1]!)])), query: new URLSearchParams(search) };
  }
  return { name: 'not-found', params: {}, query: new URLSearchParams(search) };
}

export class Router {
  private readonly routes: CompiledRoute[];

  constructor(patterns: Record<string, string>, private readonly onChange: (m: Match) => void) {
    this.routes = compileRoutes(patterns);
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
    return matchPath(this.routes, path, search);
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
