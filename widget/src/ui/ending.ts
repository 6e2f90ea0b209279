/**
 * The end of a chat, the part in the UI chunk: the header's "End chat"
 * button, the places of its confirmation and of the card that says the chat
 * is over, and the site's `ended` event (`Papo.on`).
 *
 * The rest (the confirmation, the card, the rating: ui/ended/) is a lazy
 * chunk, loaded the first time the visitor presses "End chat" or sees a chat
 * that has ended: the UI chunk's size budget has no room for it (see
 * widget/README.md for the figures).
 */
import type { Message } from '../client/protocol';
import { TRANSIENT } from '../client/socket';
import type { Translate } from '../i18n';
import { h, on } from './dom';
import type { Ended, EndedHost } from './ended/card';
import { chunk } from './lazy';

/** File name of the ended-chat chunk (content-hashed), set by build.mjs. */
declare const __PAPO_ENDED__: string;

type Host = Omit<EndedHost, 'button' | 'bar' | 'place' | 'transient'>;

export function ending(t: Translate, host: Host) {
  const { conn, thread, outbox } = host;
  const button = h('button', { type: 'button', class: 'eb', hidden: true }, t('end'));
  const bar = h('div', { class: 'cf', hidden: true });
  const place = h('section', { class: 'en', hidden: true });
  let ended: Ended | null = null;

  /** The chunk, loaded once (a failed load, e.g. offline, is tried again next time). */
  const load = chunk<(h: EndedHost) => Ended, Ended>(__PAPO_ENDED__,
    (make) => (ended = make({ ...host, button, bar, place, transient: TRANSIENT })));

  function draw(): void {
    const c = thread.conversation;
    const resolved = !!c && c.status === 'resolved';
    button.hidden = !c || resolved;
    place.hidden = !resolved || outbox.all().length > 0;
    if (ended) ended.draw();
    else if (!place.hidden) load().then(draw, () => {});
  }

  on(button, 'click', () => load().then((e) => e.ask(true), () => {}));
  conn.on('conversation', draw);
  conn.on('messages', ({ fresh, live }: { fresh: Message[]; live: boolean }) => {
    if (live) {
      for (const m of fresh) {
        // After the site heard the message itself (ui/app.ts, which listens later).
        if (m.event === 'ended' || m.event === 'resolved') {
          queueMicrotask(() => host.emit('ended', { conversation: m.conversation, by: m.event === 'ended' ? 'visitor' : 'agent' }));
        }
      }
    }
  });

  return { button, bar, place, draw };
}
