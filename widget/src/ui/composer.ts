/**
 * The composer: Enter sends, Shift+Enter breaks the line, a counter appears
 * near the length cap, and typing start/stop goes out at most every few
 * seconds (the server rate-limits frames, so keystrokes must not each cost one).
 */
import type { Translate } from '../i18n';
import { h, on } from './dom';

const TYPING_REPEAT_MS = 3000;
const TYPING_IDLE_MS = 4000;
/** The counter shows once fewer than this many characters are left. */
const COUNTER_FROM = 500;

export function composer(
  t: Translate,
  onSend: (body: string) => boolean | void,
  onTyping: (state: 'start' | 'stop') => void,
) {
  let max = 4000;
  let typingAt = 0;
  let idle: ReturnType<typeof setTimeout> | undefined;
  const input = h('textarea', { rows: '1', placeholder: t('placeholder'), 'aria-label': t('placeholder'), 'aria-describedby': 'pc' });
  const send = h('button', { type: 'submit', class: 'sb' }, t('send'));
  const counter = h('div', { class: 'ct', id: 'pc', hidden: true });
  const form = h('form', {}, h('div', { class: 'rw' }, input, send), counter);

  function update(): void {
    const left = max - input.value.length;
    counter.hidden = left >= COUNTER_FROM;
    counter.textContent = left >= 0 ? t('left', { n: left }) : t('over', { n: -left });
    counter.classList.toggle('er', left < 0);
    send.disabled = !input.value.trim() || left < 0;
    input.style.height = 'auto';
    input.style.height = input.scrollHeight + 2 + 'px';
  }

  function stopTyping(): void {
    clearTimeout(idle);
    if (typingAt) {
      typingAt = 0;
      onTyping('stop');
    }
  }

  function submit(): void {
    const body = input.value.trim();
    if (!body || body.length > max) return;
    if (onSend(body) === false) return; // e.g. the email next to it needs fixing first
    stopTyping();
    input.value = '';
    update();
  }

  on(input, 'input', () => {
    update();
    if (!input.value) return stopTyping();
    if (Date.now() - typingAt > TYPING_REPEAT_MS) {
      typingAt = Date.now();
      onTyping('start');
    }
    clearTimeout(idle);
    idle = setTimeout(stopTyping, TYPING_IDLE_MS);
  });
  on(input, 'keydown', (e: KeyboardEvent) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      submit();
    }
  });
  on(form, 'submit', (e: Event) => {
    e.preventDefault();
    submit();
  });
  update();

  return {
    form,
    input,
    setMax(n: number) {
      max = n;
      update();
    },
  };
}
