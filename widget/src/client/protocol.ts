/**
 * The widget side of the wire protocol (docs/protocol.md is the contract). What
 * the server sends is typed by ./wire.ts, generated from the server's own schema
 * (backend/realtime/outbound.py). Types only: nothing here reaches a bundle.
 */

export const PROTOCOL_VERSION = 2;

export type { Attachment, Config, Conversation, Limits, Message, ServerFrame, Visitor, Welcome } from './wire';

/** An upload the server stored (POST …/uploads, docs/protocol.md "Files"), not sent yet. */
export interface Upload {
  id: string;
  name: string;
  type: string;
  size: number;
  width: number | null;
  height: number | null;
}

export interface Page {
  url: string;
  title: string;
  referrer: string;
}

/** What `hello.identify` carries (from `Papo.identify()`). */
export interface IdentifyFrame {
  user_id: string;
  user_hash?: string;
  name?: string;
  email?: string;
}
