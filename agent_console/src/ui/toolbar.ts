/**
 * The toolbar: the agent's own settings (presence, desktop notifications,
 * sound), their figures (capacity per site, 30-day rating), the connection's
 * state, and the doors to the dialogs (canned responses, tags, shortcuts).
 */
import { h } from '../dom';
import { isolated } from '../format';
import { t } from '../i18n';
import type { Ctx } from '../intents/context';
import { setPresence } from '../intents/chat';
import * as notify from '../notify';
import type { SiteInfo } from '../protocol';
import { agentRating } from '../rating';
import type { Dialogs } from './dialogs';

export class Toolbar {
  readonly el: HTMLElement;
  private status = h('span', { class: 'conn', role: 'status' }, t('connecting'));
  private presence: HTMLButtonElement;
  private capacity = h('span', { class: 'capacity' });
  private myRating = h('span', { class: 'my-rating', title: t('ratingSumTitle'), hidden: true });
  private notifyBtn: HTMLButtonElement;
  private soundBtn: HTMLButtonElement;

  constructor(private ctx: Ctx, dialogs: Dialogs) {
    const { store } = ctx;
    this.presence = h('button', { type: 'button', class: 'presence', onclick: () => void setPresence(ctx, store.myStatus === 'online' ? 'away' : 'online') });
    this.notifyBtn = h('button', { type: 'button', class: 'notify-btn', onclick: () => void notify.askPermission().then(() => this.render()) }, t('enableNotifications'));
    this.soundBtn = h('button', { type: 'button', class: 'sound-btn', onclick: () => {
      notify.setMuted(!notify.isMuted());
      this.render();
    } });
    this.el = h('div', { class: 'toolbar' },
      this.presence, this.capacity, this.myRating, this.status,
      h('span', { class: 'spacer' }),
      this.notifyBtn, this.soundBtn,
      h('button', { type: 'button', class: 'canned-btn', onclick: () => dialogs.openCanned() }, t('canned')),
      h('button', { type: 'button', class: 'tags-btn', onclick: () => dialogs.openTags() }, t('tags')),
      h('button', { type: 'button', class: 'help-btn', 'aria-label': t('shortcuts'), title: t('shortcuts'), onclick: () => dialogs.openHelp() }, '?'));
    store.on(['conn'], () => this.renderConn());
    store.on(['toolbar', 'tabs'], () => this.render());
    this.render();
  }

  private renderConn(): void {
    const { socket: s, socketAttempt: attempt, welcome } = this.ctx.store;
    this.status.textContent = s === 'online' ? t('connected') : s === 'connecting' && attempt === 0 && !welcome ? t('connecting') : t('reconnecting');
    this.status.className = 'conn ' + s;
  }

  private render(): void {
    const { store } = this.ctx;
    const s = store.myStatus;
    const p = this.presence;
    p.textContent = '● ' + (s === 'online' ? t('online') : s === 'away' ? t('away') : t('offline'));
    p.className = 'presence ' + s;
    p.setAttribute('aria-pressed', s === 'online' ? 'true' : 'false');
    p.dataset.status = s;
    const sites: SiteInfo[] = store.welcome?.sites || [];
    const mine = store.inbox.mineBySite();
    this.capacity.textContent = sites.map((site) => (sites.length > 1 ? isolated(site.name) + ': ' : '') +
      t('capacity', { n: mine.get(site.key) || 0, max: site.max_concurrent })).join(' · ');
    const rated = agentRating(store.agents.get(store.me));
    this.myRating.textContent = rated ? '★ ' + rated : '';
    this.myRating.hidden = !rated;
    this.notifyBtn.hidden = !notify.needsPermission();
    this.soundBtn.textContent = notify.isMuted() ? t('soundOff') : t('soundOn');
    this.soundBtn.setAttribute('aria-pressed', notify.isMuted() ? 'false' : 'true');
  }
}
