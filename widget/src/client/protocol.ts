/**
 * Shapes of the widget side of wire protocol v1 (docs/protocol.md is the
 * contract; keep the two in step). Types only: nothing here reaches a bundle.
 */

export const PROTOCOL_VERSION = 2;

/** Site settings from `GET /api/widget/<key>/config` and from `welcome.config`. */
export interface Config {
  site: string;
  name: string;
  color: string;
  greeting: string;
  offline_message: string;
  locale: string;
  prechat_form: boolean;
  position: 'right' | 'left';
  z_index: number;
  verified_only: boolean;
  agents_online: boolean;
}

export interface Page {
  url: string;
  title: string;
  referrer: string;
}

export interface Message {
  conversation: number;
  seq: number;
  author: 'visitor' | 'agent' | 'system';
  agent: { name: string } | null;
  body: string;
  event: '' | 'assigned' | 'transferred' | 'resolved' | 'reopened' | 'requeued';
  data: Record<string, string>;
  client_id: string | null;
  created_at: string;
}

export interface Conversation {
  id: number;
  status: 'waiting' | 'open' | 'resolved';
  agent: { name: string } | null;
  last_seq: number;
  agent_read_seq: number;
}

export interface Visitor {
  id: string;
  name: string;
  email: string;
  verified: boolean;
}

export interface Limits {
  max_body: number;
  ping_seconds: number;
}

/** What `hello.identify` carries (from `Papo.identify()`). */
export interface IdentifyFrame {
  user_id: string;
  user_hash?: string;
  name?: string;
  email?: string;
}

export interface Welcome {
  type: 'welcome';
  v: number;
  token: string;
  visitor: Visitor;
  conversation: Conversation | null;
  messages: Message[];
  has_more: boolean;
  /** The resume stopped short of the newest message: page on with `history.after_seq`. */
  more_after?: boolean;
  agents_online: boolean;
  config: Partial<Config>;
  limits: Limits;
}

/** Every frame the server may push to a widget. */
export type ServerFrame =
  | Welcome
  | { type: 'message'; message: Message }
  | { type: 'ack'; ref?: string; client_id: string; conversation: number; seq: number; created_at: string; duplicate: boolean }
  | { type: 'error'; code: string; message: string; ref: string | null; retry_after?: number }
  | { type: 'typing'; conversation: number; author: string; name: string; state: 'start' | 'stop' }
  | { type: 'read'; conversation: number; side: string; seq: number }
  | { type: 'conversation'; event: string; conversation: Conversation }
  | { type: 'availability'; agents_online: boolean }
  | { type: 'visitor'; ref?: string; visitor: Visitor }
  | { type: 'history'; ref?: string; conversation: number; messages: Message[]; has_more: boolean }
  | { type: 'pong' };
