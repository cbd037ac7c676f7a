/**
 * The login form: asks for a read key (or an operator's admin key) once and trades it for the
 * session cookie (`POST /api/v1/session`); the key is not kept by the page.
 */
import { ApiError, login } from './api.js';
import { el } from './dom.js';

/** Shows the form in `root` and resolves once a key was accepted. */
export function askForKey(root: HTMLElement): Promise<void> {
  return new Promise((resolve) => {
    const input = el('input', { type: 'password', name: 'key', autocomplete: 'current-password', placeholder: '00000000-0000-0000-0000-000000000000', 'data-testid': 'key', required: '', size: '40' });
    const message = el('p', { class: 'error', 'data-testid': 'login-error', role: 'alert' });
    const form = el('form', { class: 'login', 'data-testid': 'login' },
      el('h1', {}, 'syslog-receiver'),
      el('label', {}, 'Read key ', input),
      el('button', { type: 'submit' }, 'Log in'),
      el('p', { class: 'hint' }, 'A read key of an app (syslog-receiver token new --read <app>) or an operator key (web.adminKeys). Not the intake token.'),
      message);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      message.textContent = '';
      login(input.value.trim()).then(resolve, (err: unknown) => {
        message.textContent = err instanceof ApiError ? err.message : `cannot reach the receiver: ${String(err)}`;
      });
    });
    root.replaceChildren(form);
    input.focus();
  });
}
