/**
 * The console's model of the world, without DOM: conversations by id (kept
 * live by `conversation` events, which reach every agent of the site), the
 * boxes derived from them, unread markers, and per-conversation threads keyed
 * by seq (a seq already held is the same message, so replays merge idempotently).
 */
import type { Box, Conversation, Message } from './protocol';
import type { Upload } from './uploads';

export interface Counts { queue: number; mine: number; open: number }

export class Inbox {
  convs = new Map<number, Conversation>();
  /** Ids the last `resolved` list (or search) returned, newest first. */
  resolved: number[] = [];
  /** Highest visitor message seq seen live, per conversation (for unread). */
  private visitorSeq = new Map<number, number>();

  constructor(public me: number) {}

  /** Insert or replace; returns the previous view (or undefined). */
  upsert(c: Conversation): Conversation | undefined {
    const prev = this.convs.get(c.id);
    // Live message frames may be ahead of an older list reply: keep the newer last message.
    if (prev && prev.last_seq > c.last_seq) {
      c = { ...c, last_seq: prev.last_seq, last_message: prev.last_message };
    }
    if (prev && prev.agent_read_seq > c.agent_read_seq) c = { ...c, agent_read_seq: prev.agent_read_seq };
    if (prev && prev.visitor_read_seq > c.visitor_read_seq) c = { ...c, visitor_read_seq: prev.visitor_read_seq };
    this.convs.set(c.id, c);
    if (c.status === 'resolved' && !this.resolved.includes(c.id) && prev && prev.status !== 'resolved') {
      this.resolved.unshift(c.id);
    }
    return prev;
  }

  get(id: number): Conversation | undefined {
    return this.convs.get(id);
  }

  /** A message frame: moves the conversation's last message forward. */
  applyMessage(m: Message): Conversation | undefined {
    const c = this.convs.get(m.conversation);
    if (m.author === 'visitor') this.visitorSeq.set(m.conversation, Math.max(m.seq, this.visitorSeq.get(m.conversation) || 0));
    if (!c) return undefined;
    if (m.seq > c.last_seq || !c.last_message || m.seq >= c.last_message.seq) {
      const next: Conversation = {
        ...c,
        last_seq: Math.max(c.last_seq, m.seq),
        updated_at: m.created_at > c.updated_at ? m.created_at : c.updated_at,
        last_message: {
          seq: m.seq, author: m.author, agent: m.agent, body: m.body.slice(0, 200), event: m.event, data: m.data || {},
          internal: !!m.internal, created_at: m.created_at,
          ...(m.attachments?.length ? { files: m.attachments.map((f) => ({ name: f.name, type: f.type })) } : {}),
        },
      };
      this.convs.set(c.id, next);
      return next;
    }
    return c;
  }

  applyRead(conversation: number, side: 'agent' | 'visitor', seq: number): void {
    const c = this.convs.get(conversation);
    if (!c) return;
    const key = side === 'agent' ? 'agent_read_seq' : 'visitor_read_seq';
    if (seq > c[key]) this.convs.set(conversation, { ...c, [key]: seq });
  }

  /**
   * Unread: the visitor wrote after the agents' read marker. Without a live
   * visitor message to go by, anything after the marker that is not the agents'
   * own words (a new chat is "visitor message, then assigned") counts.
   */
  isUnread(c: Conversation): boolean {
    if (c.status === 'resolved') return false;
    const v = this.visitorSeq.get(c.id);
    if (v !== undefined && v > c.agent_read_seq) return true;
    const last = c.last_message;
    if (!last || c.last_seq <= c.agent_read_seq) return false;
    return last.author === 'visitor' || (last.author === 'system' && !c.first_agent_reply_at);
  }

  inBox(c: Conversation, box: Box): boolean {
    switch (box) {
      case 'queue': return c.status === 'waiting';
      case 'mine': return c.status === 'open' && c.assignee?.id === this.me;
      case 'open': return c.status === 'open';
      case 'resolved': return c.status === 'resolved';
    }
  }

  list(box: Box): Conversation[] {
    if (box === 'resolved') {
      return this.resolved.map((id) => this.convs.get(id)).filter((c): c is Conversation => !!c && c.status === 'resolved');
    }
    const rows = [...this.convs.values()].filter((c) => this.inBox(c, box));
    if (box === 'queue') return rows.sort((a, b) => cmp(a.queued_at || a.created_at, b.queued_at || b.created_at) || a.id - b.id);
    return rows.sort((a, b) => cmp(b.updated_at, a.updated_at) || b.id - a.id);
  }

  counts(): Counts {
    const n: Counts = { queue: 0, mine: 0, open: 0 };
    for (const c of this.convs.values()) {
      if (c.status === 'waiting') n.queue++;
      else if (c.status === 'open') {
        n.open++;
        if (c.assignee?.id === this.me) n.mine++;
      }
    }
    return n;
  }

  unreadMine(): number {
    let n = 0;
    for (const c of this.convs.values()) if (this.inBox(c, 'mine') && this.isUnread(c)) n++;
    return n;
  }

  /** Open conversations per site assigned to me: the visible capacity. */
  mineBySite(): Map<string, number> {
    const out = new Map<string, number>();
    for (const c of this.convs.values()) if (this.inBox(c, 'mine')) out.set(c.site, (out.get(c.site) || 0) + 1);
    return out;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One conversation's messages, by seq. */
export class Thread {
  private bySeq = new Map<number, Message>();
  hasMore = false;
  /** Sends typed here, not acknowledged yet (shown greyed), by client_id. */
  pending = new Map<string, { body: string; internal: boolean; failed?: string; files?: Upload[] }>();

  constructor(public id: number) {}

  merge(messages: Message[] | undefined): Message[] {
    const fresh: Message[] = [];
    for (const m of messages || []) {
      if (m.conversation !== this.id || this.bySeq.has(m.seq)) continue;
      this.bySeq.set(m.seq, m);
      if (m.client_id) this.pending.delete(m.client_id);
      fresh.push(m);
    }
    return fresh.sort((a, b) => a.seq - b.seq);
  }

  list(): Message[] {
    return [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
  }

  get oldest(): number | undefined {
    let min: number | undefined;
    for (const s of this.bySeq.keys()) if (min === undefined || s < min) min = s;
    return min;
  }

  get newest(): number {
    let max = 0;
    for (const s of this.bySeq.keys()) if (s > max) max = s;
    return max;
  }

  /** `open` with `after_seq` on reconnect: the last seq held with no gap below it. */
  resumeFrom(): number {
    const seqs = [...this.bySeq.keys()].sort((a, b) => a - b);
    if (!seqs.length) return 0;
    let last = seqs[0];
    for (const s of seqs) {
      if (s > last + 1) break;
      last = s;
    }
    return last;
  }
}
