/**
 * The messages a widget holds, keyed by (conversation, seq).
 *
 * The server numbers each conversation's messages 1, 2, 3…; a seq already held
 * is the same message. So merging is idempotent, rendering sorts by seq, and a
 * replay after reconnecting can never show something twice or out of order.
 */
import type { Conversation, Message } from './protocol';

export class Thread {
  private byKey = new Map<string, Message>();
  conversation: Conversation | null = null;
  /** The server has older messages than the ones held (`history` fetches them). */
  hasMore = false;

  /** Adds what is new and returns it, in seq order. */
  merge(messages: Message[] | undefined): Message[] {
    const fresh: Message[] = [];
    for (const m of messages || []) {
      const k = m.conversation + ':' + m.seq;
      if (!this.byKey.has(k)) {
        this.byKey.set(k, m);
        fresh.push(m);
      }
    }
    return fresh.sort(order);
  }

  list(): Message[] {
    return [...this.byKey.values()].sort(order);
  }

  get size(): number {
    return this.byKey.size;
  }

  /** The conversation shown: the server's word, else the newest one we hold. */
  current(): number | undefined {
    if (this.conversation) return this.conversation.id;
    let id: number | undefined;
    for (const m of this.byKey.values()) if (id === undefined || m.conversation > id) id = m.conversation;
    return id;
  }

  /** The current conversation's messages, in seq order. */
  currentMessages(): Message[] {
    const id = this.current();
    return this.list().filter((m) => m.conversation === id);
  }

  /**
   * `hello.resume`: the highest seq held. Gaps below it are not losses: the
   * server fills a live gap from its database before sending a later seq, and
   * agents' internal notes take seqs a visitor never sees.
   */
  resume(): { conversation: number; last_seq: number } | undefined {
    const msgs = this.currentMessages();
    if (!msgs.length) return undefined;
    return { conversation: msgs[0].conversation, last_seq: msgs[msgs.length - 1].seq };
  }

  clear(): void {
    this.byKey.clear();
    this.conversation = null;
    this.hasMore = false;
  }
}

function order(a: Message, b: Message): number {
  return a.conversation - b.conversation || a.seq - b.seq;
}
