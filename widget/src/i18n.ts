/**
 * The widget's languages. The loader imports only `pickLocale` and
 * `LAUNCHER_LABEL`, and esbuild drops the tables from its bundle as long as
 * they hold nothing but literals (a property read would keep them in).
 *
 * English is in the UI chunk. Every other language is a chunk of its own
 * (ui/pt.ts → pt-<hash>.js, ui/es.ts → es-<hash>.js), which the loader fetches
 * beside the UI chunk only for a visitor who reads it: in the UI chunk each
 * cost every visitor about 0.4 KB of gzip, and the size budget holds for the
 * heaviest visitor (the UI chunk and the largest language: widget/build.mjs
 * checks it). Every table has every key (`Strings`).
 */

export type Locale = 'en' | 'pt-BR' | 'es';

/** The one string the loader needs before the UI exists. */
const OPEN_EN = 'Open chat';
const OPEN_PT = 'Abrir chat';
export const LAUNCHER_LABEL: Record<Locale, string> = { en: OPEN_EN, 'pt-BR': OPEN_PT, es: OPEN_PT };

function normalize(tag: string | null | undefined): Locale | undefined {
  const t = (tag || '').toLowerCase();
  return t.startsWith('pt') ? 'pt-BR' : t.startsWith('en') ? 'en' : t.startsWith('es') ? 'es' : undefined;
}

/** `data-locale` wins, then the browser's first language we speak, then the site's default. */
export function pickLocale(wanted: string | null | undefined, browser: readonly string[], siteDefault?: string): Locale {
  for (const tag of [wanted, ...browser, siteDefault]) {
    const l = normalize(tag);
    if (l) return l;
  }
  return 'en';
}

export const en = {
  open: OPEN_EN,
  openUnread: 'Open chat, {n} unread',
  close: 'Close chat',
  chatWith: 'Chat with {name}',
  placeholder: 'Write a message…',
  send: 'Send',
  connecting: 'Connecting…',
  reconnecting: 'Connection lost. Reconnecting…',
  offline: "You're offline. Your messages will be sent when you're back.",
  stopped: 'The chat is not available right now.',
  rate: "You're sending messages too fast. Trying again in {n} s.",
  sending: 'Sending…',
  slow: 'Not sent yet',
  failed: 'Not sent',
  retry: 'Retry',
  remove: 'Remove',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  you: 'You',
  agent: 'Agent',
  typing: '{name} is typing…',
  left: '{n} characters left',
  over: '{n} characters too many',
  assigned: '{agent} joined the conversation',
  transferred: '{from} passed the conversation to {to}',
  resolved: '{by} marked the conversation as resolved',
  reopened: '{agent} reopened the conversation',
  requeued: '{agent} is away; the next available agent will answer',
  requeuedBy: 'Waiting for the next available agent',
  name: 'Your name',
  email: 'Your email',
  emailHint: 'so we can reply',
  badEmail: 'Enter a valid email address',
  start: 'Start chat',
  earlier: 'Show earlier messages',
  newFrom: 'New message from {name}: {body}',
  messages: 'Messages',
  ended: 'You ended the conversation',
  rated: 'You rated the conversation {score} out of 5',
  end: 'End chat',
  newChat: 'New conversation',
};

export type Key = keyof typeof en;

export type Strings = Record<Key, string>;

export const ptBR: Strings = {
  open: OPEN_PT,
  openUnread: 'Abrir chat, {n} não lidas',
  close: 'Fechar chat',
  chatWith: 'Conversa com {name}',
  placeholder: 'Escreva uma mensagem…',
  send: 'Enviar',
  connecting: 'Conectando…',
  reconnecting: 'Conexão perdida. Reconectando…',
  offline: 'Você está sem internet. Suas mensagens serão enviadas quando a conexão voltar.',
  stopped: 'O chat não está disponível agora.',
  rate: 'Você está enviando mensagens rápido demais. Tentando de novo em {n} s.',
  sending: 'Enviando…',
  slow: 'Ainda não enviada',
  failed: 'Não enviada',
  retry: 'Tentar de novo',
  remove: 'Remover',
  sent: 'Enviada',
  delivered: 'Entregue',
  read: 'Lida',
  you: 'Você',
  agent: 'Atendente',
  typing: '{name} está digitando…',
  left: '{n} caracteres restantes',
  over: '{n} caracteres a mais',
  assigned: '{agent} entrou na conversa',
  transferred: '{from} passou a conversa para {to}',
  resolved: '{by} marcou a conversa como resolvida',
  reopened: '{agent} reabriu a conversa',
  requeued: '{agent} se ausentou; o próximo atendente disponível vai responder',
  requeuedBy: 'Aguardando o próximo atendente disponível',
  name: 'Seu nome',
  email: 'Seu e-mail',
  emailHint: 'para podermos responder',
  badEmail: 'Informe um e-mail válido',
  start: 'Iniciar conversa',
  earlier: 'Mostrar mensagens anteriores',
  newFrom: 'Nova mensagem de {name}: {body}',
  messages: 'Mensagens',
  ended: 'Você encerrou a conversa',
  rated: 'Você avaliou a conversa com {score} de 5',
  end: 'Encerrar',
  newChat: 'Nova conversa',
};

export const es: Strings = {
  open: OPEN_PT,
  openUnread: 'Abrir chat, {n} sin leer',
  close: 'Cerrar chat',
  chatWith: 'Chat con {name}',
  placeholder: 'Escribe un mensaje…',
  send: 'Enviar',
  connecting: 'Conectando…',
  reconnecting: 'Se perdió la conexión. Reconectando…',
  offline: 'No tienes conexión. Tus mensajes se enviarán cuando vuelva.',
  stopped: 'El chat no está disponible en este momento.',
  rate: 'Estás enviando mensajes demasiado rápido. Se reintentará en {n} s.',
  sending: 'Enviando…',
  slow: 'Aún no enviado',
  failed: 'No enviado',
  retry: 'Reintentar',
  remove: 'Eliminar',
  sent: 'Enviado',
  delivered: 'Entregado',
  read: 'Leído',
  you: 'Tú',
  agent: 'Agente',
  typing: '{name} está escribiendo…',
  left: 'Quedan {n} caracteres',
  over: '{n} caracteres de más',
  assigned: '{agent} se unió a la conversación',
  transferred: '{from} pasó la conversación a {to}',
  resolved: '{by} marcó la conversación como resuelta',
  reopened: '{agent} reabrió la conversación',
  requeued: '{agent} no está disponible; te responderá el próximo agente disponible',
  requeuedBy: 'Esperando al próximo agente disponible',
  name: 'Tu nombre',
  email: 'Tu correo electrónico',
  emailHint: 'para poder responderte',
  badEmail: 'Escribe un correo electrónico válido',
  start: 'Iniciar chat',
  earlier: 'Ver mensajes anteriores',
  newFrom: 'Nuevo mensaje de {name}: {body}',
  messages: 'Mensajes',
  ended: 'Terminaste la conversación',
  rated: 'Valoraste la conversación con {score} de 5',
  end: 'Terminar',
  newChat: 'Nueva conversación',
};

/**
 * The sentence for `key` with its `{name}` placeholders filled (a missing value
 * is ''). Without `vars` the sentence comes back as written, placeholders and
 * all: ui/dom.ts `sentence()` fills it with each value in its own bidi isolate.
 */
export type Translate = (key: Key, vars?: Record<string, string | number>) => string;

export function translator(loaded?: Strings): Translate {
  const table: Strings = loaded || en;
  return (key, vars) => (vars ? table[key].replace(/\{(\w+)\}/g, (_, v: string) => String(vars[v] ?? '')) : table[key]);
}
