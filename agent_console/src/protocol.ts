/** Wire protocol v1, console side (docs/protocol.md is the contract). */
export const PROTOCOL_VERSION = 2;

export type Status = 'waiting' | 'open' | 'resolved';
export type Box = 'queue' | 'mine' | 'open' | 'resolved';
export type AgentStatus = 'online' | 'away' | 'offline';

export interface AgentRef { id: number; name: string }

export interface Message {
  conversation: number;
  seq: number;
  author: 'visitor' | 'agent' | 'system';
  agent: AgentRef | null;
  body: string;
  event: string;
  data: Record<string, string>;
  client_id: string | null;
  created_at: string;
  internal?: boolean;
}

export interface VisitorView {
  id: string;
  name: string;
  email: string;
  verified: boolean;
  display_name: string;
  page_url: string;
  page_title: string;
  referrer: string;
  user_agent: string;
  locale: string;
  first_seen_at: string;
  last_seen_at: string;
  timezone?: string;
}

export interface Conversation {
  id: number;
  site: string;
  status: Status;
  assignee: AgentRef | null;
  visitor: VisitorView;
  last_seq: number;
  visitor_read_seq: number;
  agent_read_seq: number;
  created_at: string;
  updated_at: string;
  queued_at: string | null;
  first_agent_reply_at: string | null;
  resolved_at: string | null;
  last_message: {
    seq: number; author: string; body: string; event?: string; internal?: boolean; created_at: string;
  } | null;
}

export interface Agent {
  id: number;
  name: string;
  status: AgentStatus;
  open: number;
  sites?: string[];
}

export interface SiteInfo { key: string; name: string; role: 'agent' | 'admin'; max_concurrent: number }

export interface Canned { id: number; site: string; shortcut: string; body: string }

export interface Welcome {
  type: 'welcome';
  v: number;
  agent: { id: number; name: string; username: string };
  status: AgentStatus;
  sites: SiteInfo[];
  agents: Agent[];
  counts: { queue: number; mine: number; open: number };
  canned?: Canned[];
  /** Per assigned chat (by id), the seq after which this socket sends every message live. */
  live_from?: Record<string, number>;
  limits: { max_body: number; ping_seconds: number };
}

export interface Ack {
  type: 'ack';
  client_id: string;
  conversation: number;
  seq: number;
  created_at: string;
  duplicate: boolean;
}

/** A frame as received: a `type` and whatever the protocol puts beside it. */
export type Frame = { type: string; ref?: string | number | null; [k: string]: unknown };

export class ProtocolError extends Error {
  constructor(public code: string, message: string, public retryAfter?: number) {
    super(message);
  }
}
