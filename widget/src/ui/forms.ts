/**
 * The two places the widget asks for contact details, both sent with a
 * `profile` frame: the optional pre-chat form (per site) and, when no agent
 * is online, the email field under the composer ("leave a message").
 */
import type { Translate } from '../i18n';
import { h, on } from './dom';

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function field(label: string, type: string, autocomplete: string) {
  const input = h('input', { type, autocomplete });
  const error = h('span', { class: 'er', role: 'alert', hidden: true });
  return { input, el: h('label', {}, label, input, error), error };
}

/** An email field that validates on demand. */
export function emailField(label: string, t: Translate) {
  const f = field(label, 'email', 'email');
  return {
    ...f,
    /** '' when empty, the address when valid, null (and says why) when not. */
    read(): string | null {
      const v = f.input.value.trim();
      const ok = !v || EMAIL_RE.test(v);
      f.error.hidden = ok;
      f.error.textContent = ok ? '' : t('badEmail');
      f.input.setAttribute('aria-invalid', String(!ok));
      if (!ok) f.input.focus();
      return ok ? v : null;
    },
  };
}

export function prechatForm(t: Translate, done: (name: string, email: string) => void) {
  const name = field(t('name'), 'text', 'name');
  const email = emailField(t('email'), t);
  const form = h('form', { novalidate: true }, name.el, email.el, h('button', { type: 'submit', class: 'sb' }, t('start')));
  on(form, 'submit', (e: Event) => {
    e.preventDefault();
    const v = email.read();
    if (!v) {
      // Required here: an empty address gets the same message as a bad one.
      email.error.hidden = false;
      email.error.textContent = t('badEmail');
      email.input.focus();
      return;
    }
    done(name.input.value.trim(), v);
  });
  return { form, first: name.input };
}
