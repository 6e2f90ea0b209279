/**
 * Wire protocol, console side (docs/protocol.md is the contract). What the server
 * sends is typed by ./wire.ts, generated from the server's own schema
 * (backend/realtime/outbound.py).
 */
export const PROTOCOL_VERSION = 2;

export type Status = 'waiting' | 'open' | 'resolved';
export type Box = 'queue' | 'mine' | 'open' | 'resolved';
export type AgentStatus = 'online' | 'away' | 'offline';

export type { Agent, AgentRef, Attachment, Canned, Conversation, LastMessage, Message, ServerFrame, SiteInfo, VisitorView, Welcome } from './wire';
export type { MessageHit, SnippetPart, Tag, VisitorHit } from './wire';
export type { AckFrame as Ack } from './wire';

/** A frame as received: a `type` and whatever the protocol puts beside it. */
export type Frame = { type: string; ref?: string | number | null; [k: string]: unknown };

export class ProtocolError extends Error {
  constructor(public code: string, message: string, public retryAfter?: number) {
    super(message);
  }
}
