/**
 * DOM helpers for the page. Text always goes in through `textContent` (never `innerHTML`): a
 * stored message is untrusted input and must not become markup.
 */

/** Attributes and children of {@link el}: strings become text nodes. */
type Child = Node | string | null | undefined | false;

/**
 * Creates `<tag>` with attributes (`class`, `data-*`, `aria-*`, …; `on*` are not allowed, use
 * addEventListener) and children.
 */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    e.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return e;
}

/** Removes every child of `e`. */
export function clear(e: Element): void {
  e.replaceChildren();
}
