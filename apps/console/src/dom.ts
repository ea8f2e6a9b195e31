/** Tiny DOM helpers: the console is a few tables, not worth a UI framework. */
export type Child = Node | string | number | null | undefined;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  for (const child of children) if (child !== null && child !== undefined) el.append(child instanceof Node ? child : String(child));
  return el;
}

/** A table with a header row; `attrs` go on the <table>, each row's cells are text or nodes. */
export function table(attrs: Record<string, string>, headers: string[], rows: { attrs?: Record<string, string>; cells: Child[] }[]): HTMLTableElement {
  return h(
    'table',
    attrs,
    h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', {}, t)))),
    h('tbody', {}, ...rows.map((r) => h('tr', r.attrs ?? {}, ...r.cells.map((c) => h('td', {}, c))))),
  );
}

export function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

export function formatBytes(n: number | undefined): string {
  if (n === undefined) return '–';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}
