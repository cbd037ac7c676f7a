/**
 * The page's entry point: asks who we are (`GET /api/v1/session`), logs in when needed, then
 * shows the search view for the app and query in the URL; back/forward re-run the URL's query.
 */
import { ApiError, get, logout, type AppSummary } from './api.js';
import { el } from './dom.js';
import { askForKey } from './login.js';
import { SearchView } from './search-view.js';
import { readUrl } from './state.js';
import './style.css';

const root = document.getElementById('root')!;
let onPopState: (() => void) | null = null;
let current: SearchView | null = null;

async function boot(): Promise<void> {
  if (onPopState !== null) window.removeEventListener('popstate', onPopState);
  current?.close();
  current = null;
  try {
    await get('/api/v1/session');
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) { await askForKey(root); return boot(); }
    root.replaceChildren(el('p', { class: 'error' }, `cannot reach the receiver: ${String(err)}`));
    return;
  }
  const { apps } = await get<{ apps: AppSummary[] }>('/api/v1/apps');
  const out = el('button', { type: 'button', 'data-testid': 'logout' }, 'Log out');
  out.addEventListener('click', () => { void logout().then(boot); });
  const header = el('header', {}, el('h1', {}, 'syslog-receiver'), out);
  if (apps.length === 0) {
    root.replaceChildren(header, el('p', {}, 'This key reads no app.'));
    return;
  }
  const names = apps.map((a) => a.name);
  const view = new SearchView(apps, () => void boot());
  current = view;
  root.replaceChildren(header, view.element);
  view.show(readUrl(names));
  onPopState = () => view.show(readUrl(names));
  window.addEventListener('popstate', onPopState);
}

void boot();
