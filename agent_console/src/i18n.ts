/**
 * The console's one message catalogue (English, Brazilian Portuguese and Spanish).
 * The language is the page's `<html lang>`, which Django sets from the agent's
 * choice (language cookie) or the browser's Accept-Language.
 */
const en = {
  waiting: 'Waiting', mine: 'Mine', allOpen: 'All open', resolved: 'Resolved',
  search: 'Search resolved: name, email or text', searchLabel: 'Search',
  loadMore: 'Load more', loadEarlier: 'Load earlier messages',
  pickConversation: 'Pick a conversation on the left.',
  claim: 'Claim', transfer: 'Transfer', transferTo: 'Transfer to…', resolve: 'Resolve', reopen: 'Reopen',
  noOneOnline: 'No other agent online', send: 'Send', note: 'Internal note',
  notePlaceholder: 'Note for agents only — the visitor never sees it', replyPlaceholder: 'Reply… (Enter sends, Shift+Enter for a new line, / for canned responses)',
  noteBadge: 'Note', online: 'Online', away: 'Away', offline: 'Offline',
  connecting: 'Connecting…', reconnecting: 'Reconnecting…', connected: 'Connected',
  capacity: 'Chats {n} of {max}', enableNotifications: 'Enable desktop notifications',
  sound: 'Sound', soundOn: 'Sound on', soundOff: 'Sound off',
  typing: '{name} is typing…', seen: 'Seen', sending: 'Sending…', failed: 'Not sent: {reason}',
  visitor: 'Visitor', verified: 'Verified', unverified: 'Not verified', email: 'Email', page: 'Current page',
  pagesSeen: 'Pages seen this visit', browser: 'Browser', os: 'System', localTime: 'Local time',
  language: 'Language', firstSeen: 'First seen', pastConversations: 'Past conversations', none: 'None',
  unknown: 'Unknown', status: 'Status', assignee: 'Agent', unassigned: 'Unassigned',
  evAssigned: '{agent} took the conversation', evTransferred: 'Transferred from {from} to {to}',
  evResolved: 'Resolved by {by}', evReopened: 'Reopened by {agent}', evRequeued: '{agent} went offline; back in the queue',
  evRequeuedBy: 'Sent back to the queue by {by}',
  evAbandoned: 'The visitor left the queue ({minutes} min without the site open); closed',
  evOther: 'Event: {event}',
  newChat: 'New chat waiting', newChatFrom: '{name} is waiting', newMessageFrom: 'New message from {name}',
  canned: 'Canned responses', cannedHint: 'Type /shortcut in the composer to insert one.',
  shortcut: 'Shortcut', text: 'Text', add: 'Add', save: 'Save', delete: 'Delete', close: 'Close', edit: 'Edit',
  site: 'Site', adminOnly: 'Only site admins can change these.', shortcuts: 'Keyboard shortcuts',
  kbBoxes: 'Waiting / Mine / All open / Resolved', kbNextPrev: 'Next / previous conversation',
  kbClaim: 'Claim', kbResolve: 'Resolve', kbReopen: 'Reopen', kbTransfer: 'Transfer',
  kbReply: 'Reply', kbNote: 'Toggle internal note', kbSearch: 'Search', kbHelp: 'This help', kbEsc: 'Leave the composer',
  errorPrefix: 'Could not do that: {reason}', statusWaiting: 'Waiting', statusOpen: 'Open', statusResolved: 'Resolved',
  visitorLeftTitle: '{name}', you: 'you', settings: 'Settings',
  evEnded: '{by} ended the chat', evRated: 'Rated {score} out of 5',
  endedByVisitor: 'Ended by the visitor', rating: 'Rating', ratingOf: '{score} out of 5', notRated: 'Not rated',
  ratingSum: 'Rated {avg} ({n} in 30 days)', ratingSumTitle: 'Average rating of your chats in the last 30 days',
  returning: 'Returning visitor — previous chat #{id}',
  inboxTitle: 'Inbox', youSaid: 'You', said: '{who}:',
  // A visitor with no name or e-mail: "{colour} {animal}" from their id. The lists'
  // order is shared by every language (the same visitor gets the same pair).
  friendlyName: '{colour} {animal}',
  nameColours: 'Blue|Green|Grey|Pink|Orange|Violet|Turquoise|Lilac|Brown|Silver|Coral|Indigo|Amber|Jade|Scarlet|Olive|Cyan|Magenta|Bronze|Ochre|Cream|Ruby|Sky|Mint',
  nameAnimals: 'Fox|Owl|Otter|Panda|Tiger|Whale|Falcon|Koala|Lynx|Heron|Dolphin|Badger|Turtle|Penguin|Rabbit|Bear|Deer|Swan|Seal|Wolf|Hedgehog|Parrot|Zebra|Bee|Toucan|Jaguar|Llama|Moose|Sparrow|Octopus|Squirrel|Beaver|Eagle|Lion|Crow|Hare|Stork|Bison|Puma|Orca|Ibis|Macaw|Capybara|Sloth|Armadillo|Tapir|Manatee|Hummingbird',
  emptyNoChatsTitle: 'No chats yet',
  emptyNoChats: 'Chats appear here as soon as a visitor writes from your site. You will hear a sound, and get a desktop notification if you allow it.',
  emptyInstall: 'To put the chat on your site, paste its snippet into your pages. The site’s settings have it, with a copy button.',
  emptyInstallLink: 'Get the snippet',
  emptyQueueTitle: 'Nobody is waiting',
  emptyQueue: 'New chats wait here until someone claims them; you will hear a sound when one arrives.',
  emptyMineTitle: 'No chats assigned to you',
  emptyMine: 'Claim a chat from Waiting, or stay online and new chats will be routed to you.',
  emptyOpenTitle: 'No open chats', emptyOpen: 'Chats an agent is handling appear here.',
  emptyResolvedTitle: 'No resolved chats yet',
  emptyResolved: 'Chats stay here once resolved; search them by name, e-mail or words from the chat.',
  emptySearchTitle: 'No resolved chat matches “{q}”',
  emptySearch: 'Try fewer or other words: a name, an e-mail, or words from the chat.',
  clearSearch: 'Clear the search',
  // Files (ui/files.ts): attaching them to a reply or a note, and showing them.
  attachFiles: 'Attach files', dropFiles: 'Drop files to attach them to your reply',
  filesToSend: 'Files to send', uploadingFile: 'Uploading {name}', cancel: 'Cancel', retry: 'Retry', remove: 'Remove',
  filesWithNote: 'Internal: these files go with the note; the visitor never sees them.',
  filesWait: 'Wait until the files are uploaded, then send.',
  filesFix: 'Retry or remove the files that did not upload, then send.',
  filesInternal: 'Internal files: only agents see them',
  fileSent: 'File · {name}', photoSent: 'Photo · {name}', filesSent: '{n} files', fileDownload: 'Download {name}', imageOpen: 'Open {name} full size',
  upFileTooLarge: 'Too large: this site takes files up to {max}.',
  upTypeNotAllowed: 'This site does not take this kind of file.',
  upFileEmpty: 'This file is empty.',
  upImageTooLarge: 'This image has too many pixels to be sent.',
  upImageInvalid: 'This image cannot be read.',
  upFileInfected: 'Refused: the virus scanner flagged this file.',
  upScanUnavailable: 'Files cannot be scanned right now. Retry in a moment.',
  upUploadsDisabled: 'This site takes no files (see its settings).',
  upRateLimited: 'Too many uploads. Retry in {n} s.',
  upFailed: 'Could not upload: check your connection and retry.',
  upServerError: 'The server could not store this file. Retry.',
  upRefused: 'Refused by the server ({code}).',
};

type Key = keyof typeof en;

const ptBR: Record<Key, string> = {
  waiting: 'Aguardando', mine: 'Minhas', allOpen: 'Todas abertas', resolved: 'Resolvidas',
  search: 'Buscar resolvidas: nome, e-mail ou texto', searchLabel: 'Buscar',
  loadMore: 'Carregar mais', loadEarlier: 'Carregar mensagens anteriores',
  pickConversation: 'Escolha uma conversa à esquerda.',
  claim: 'Assumir', transfer: 'Transferir', transferTo: 'Transferir para…', resolve: 'Resolver', reopen: 'Reabrir',
  noOneOnline: 'Nenhum outro agente online', send: 'Enviar', note: 'Nota interna',
  notePlaceholder: 'Nota só para agentes — o visitante nunca a vê', replyPlaceholder: 'Responder… (Enter envia, Shift+Enter quebra a linha, / para respostas prontas)',
  noteBadge: 'Nota', online: 'Online', away: 'Ausente', offline: 'Offline',
  connecting: 'Conectando…', reconnecting: 'Reconectando…', connected: 'Conectado',
  capacity: 'Conversas {n} de {max}', enableNotifications: 'Ativar notificações na área de trabalho',
  sound: 'Som', soundOn: 'Som ligado', soundOff: 'Som desligado',
  typing: '{name} está digitando…', seen: 'Visto', sending: 'Enviando…', failed: 'Não enviada: {reason}',
  visitor: 'Visitante', verified: 'Verificado', unverified: 'Não verificado', email: 'E-mail', page: 'Página atual',
  pagesSeen: 'Páginas vistas nesta visita', browser: 'Navegador', os: 'Sistema', localTime: 'Hora local',
  language: 'Idioma', firstSeen: 'Visto pela primeira vez', pastConversations: 'Conversas anteriores', none: 'Nenhuma',
  unknown: 'Desconhecido', status: 'Situação', assignee: 'Agente', unassigned: 'Sem agente',
  evAssigned: '{agent} assumiu a conversa', evTransferred: 'Transferida de {from} para {to}',
  evResolved: 'Resolvida por {by}', evReopened: 'Reaberta por {agent}', evRequeued: '{agent} ficou offline; de volta à fila',
  evRequeuedBy: 'Devolvida à fila por {by}',
  evAbandoned: 'O visitante saiu da fila ({minutes} min sem o site aberto); encerrada',
  evOther: 'Evento: {event}',
  newChat: 'Nova conversa aguardando', newChatFrom: '{name} está aguardando', newMessageFrom: 'Nova mensagem de {name}',
  canned: 'Respostas prontas', cannedHint: 'Digite /atalho no campo de mensagem para inserir uma.',
  shortcut: 'Atalho', text: 'Texto', add: 'Adicionar', save: 'Salvar', delete: 'Excluir', close: 'Fechar', edit: 'Editar',
  site: 'Site', adminOnly: 'Só administradores do site podem mudá-las.', shortcuts: 'Atalhos de teclado',
  kbBoxes: 'Aguardando / Minhas / Todas abertas / Resolvidas', kbNextPrev: 'Próxima / anterior',
  kbClaim: 'Assumir', kbResolve: 'Resolver', kbReopen: 'Reabrir', kbTransfer: 'Transferir',
  kbReply: 'Responder', kbNote: 'Alternar nota interna', kbSearch: 'Buscar', kbHelp: 'Esta ajuda', kbEsc: 'Sair do campo de mensagem',
  errorPrefix: 'Não foi possível: {reason}', statusWaiting: 'Aguardando', statusOpen: 'Aberta', statusResolved: 'Resolvida',
  visitorLeftTitle: '{name}', you: 'você', settings: 'Configurações',
  evEnded: '{by} encerrou a conversa', evRated: 'Avaliada com {score} de 5',
  endedByVisitor: 'Encerrada pelo visitante', rating: 'Avaliação', ratingOf: '{score} de 5', notRated: 'Sem avaliação',
  ratingSum: 'Nota {avg} ({n} em 30 dias)', ratingSumTitle: 'Média das avaliações das suas conversas nos últimos 30 dias',
  returning: 'Visitante recorrente — conversa anterior nº {id}',
  inboxTitle: 'Caixa de entrada', youSaid: 'Você', said: '{who}:',
  friendlyName: '{animal} {colour}',
  nameColours: 'Azul|Verde|Cinza|Rosa|Laranja|Violeta|Turquesa|Lilás|Marrom|Prata|Coral|Índigo|Âmbar|Jade|Escarlate|Oliva|Ciano|Magenta|Bronze|Ocre|Creme|Rubi|Celeste|Menta',
  nameAnimals: 'Raposa|Coruja|Lontra|Panda|Tigre|Baleia|Falcão|Coala|Lince|Garça|Golfinho|Texugo|Tartaruga|Pinguim|Coelho|Urso|Cervo|Cisne|Foca|Lobo|Ouriço|Papagaio|Zebra|Abelha|Tucano|Onça|Lhama|Alce|Pardal|Polvo|Esquilo|Castor|Águia|Leão|Corvo|Lebre|Cegonha|Bisão|Puma|Orca|Íbis|Arara|Capivara|Preguiça|Tatu|Anta|Peixe-boi|Beija-flor',
  emptyNoChatsTitle: 'Nenhuma conversa ainda',
  emptyNoChats: 'As conversas aparecem aqui assim que um visitante escrever pelo seu site. Você ouvirá um som e, se permitir, receberá uma notificação na área de trabalho.',
  emptyInstall: 'Para colocar o chat no seu site, cole o código dele nas suas páginas. Ele está nas configurações do site, com um botão de copiar.',
  emptyInstallLink: 'Pegar o código',
  emptyQueueTitle: 'Ninguém aguardando',
  emptyQueue: 'Novas conversas esperam aqui até alguém assumi-las; você ouvirá um som quando chegar uma.',
  emptyMineTitle: 'Nenhuma conversa com você',
  emptyMine: 'Assuma uma conversa em Aguardando, ou fique online e novas conversas serão encaminhadas a você.',
  emptyOpenTitle: 'Nenhuma conversa aberta', emptyOpen: 'As conversas que um agente está atendendo aparecem aqui.',
  emptyResolvedTitle: 'Nenhuma conversa resolvida ainda',
  emptyResolved: 'As conversas ficam aqui depois de resolvidas; busque por nome, e-mail ou palavras da conversa.',
  emptySearchTitle: 'Nenhuma conversa resolvida corresponde a “{q}”',
  emptySearch: 'Tente menos palavras ou outras: um nome, um e-mail ou palavras da conversa.',
  clearSearch: 'Limpar a busca',
  attachFiles: 'Anexar arquivos', dropFiles: 'Solte os arquivos para anexá-los à resposta',
  filesToSend: 'Arquivos a enviar', uploadingFile: 'Enviando {name}', cancel: 'Cancelar', retry: 'Tentar de novo', remove: 'Remover',
  filesWithNote: 'Interno: estes arquivos vão com a nota; o visitante nunca os vê.',
  filesWait: 'Espere os arquivos terminarem de subir e então envie.',
  filesFix: 'Tente de novo ou remova os arquivos que não subiram e então envie.',
  filesInternal: 'Arquivos internos: só agentes os veem',
  fileSent: 'Arquivo · {name}', photoSent: 'Foto · {name}', filesSent: '{n} arquivos', fileDownload: 'Baixar {name}', imageOpen: 'Abrir {name} em tamanho real',
  upFileTooLarge: 'Grande demais: este site aceita arquivos de até {max}.',
  upTypeNotAllowed: 'Este site não aceita este tipo de arquivo.',
  upFileEmpty: 'Este arquivo está vazio.',
  upImageTooLarge: 'Esta imagem tem pixels demais para ser enviada.',
  upImageInvalid: 'Não foi possível ler esta imagem.',
  upFileInfected: 'Recusado: o antivírus apontou este arquivo.',
  upScanUnavailable: 'Não é possível verificar arquivos agora. Tente de novo em instantes.',
  upUploadsDisabled: 'Este site não aceita arquivos (veja as configurações dele).',
  upRateLimited: 'Envios demais. Tente de novo em {n} s.',
  upFailed: 'Não foi possível enviar: verifique sua conexão e tente de novo.',
  upServerError: 'O servidor não conseguiu guardar este arquivo. Tente de novo.',
  upRefused: 'Recusado pelo servidor ({code}).',
};

const es: Record<Key, string> = {
  waiting: 'En espera', mine: 'Mías', allOpen: 'Todas abiertas', resolved: 'Resueltas',
  search: 'Buscar resueltas: nombre, correo o texto', searchLabel: 'Buscar',
  loadMore: 'Cargar más', loadEarlier: 'Cargar mensajes anteriores',
  pickConversation: 'Elige una conversación a la izquierda.',
  claim: 'Tomar', transfer: 'Transferir', transferTo: 'Transferir a…', resolve: 'Resolver', reopen: 'Reabrir',
  noOneOnline: 'Ningún otro agente en línea', send: 'Enviar', note: 'Nota interna',
  notePlaceholder: 'Nota solo para agentes: el visitante nunca la ve', replyPlaceholder: 'Responder… (Enter envía, Mayús+Enter para otra línea, / para respuestas rápidas)',
  noteBadge: 'Nota', online: 'En línea', away: 'Ausente', offline: 'Desconectado',
  connecting: 'Conectando…', reconnecting: 'Reconectando…', connected: 'Conectado',
  capacity: 'Chats {n} de {max}', enableNotifications: 'Activar las notificaciones de escritorio',
  sound: 'Sonido', soundOn: 'Sonido activado', soundOff: 'Sonido desactivado',
  typing: '{name} está escribiendo…', seen: 'Visto', sending: 'Enviando…', failed: 'No enviado: {reason}',
  visitor: 'Visitante', verified: 'Verificado', unverified: 'No verificado', email: 'Correo', page: 'Página actual',
  pagesSeen: 'Páginas vistas en esta visita', browser: 'Navegador', os: 'Sistema', localTime: 'Hora local',
  language: 'Idioma', firstSeen: 'Primera visita', pastConversations: 'Conversaciones anteriores', none: 'Ninguna',
  unknown: 'Desconocido', status: 'Estado', assignee: 'Agente', unassigned: 'Sin agente',
  evAssigned: '{agent} tomó la conversación', evTransferred: 'Transferida de {from} a {to}',
  evResolved: 'Resuelta por {by}', evReopened: 'Reabierta por {agent}', evRequeued: '{agent} se desconectó; de vuelta en la cola',
  evRequeuedBy: 'Devuelta a la cola por {by}',
  evAbandoned: 'El visitante salió de la cola ({minutes} min sin el sitio abierto); cerrada',
  evOther: 'Evento: {event}',
  newChat: 'Nuevo chat en espera', newChatFrom: '{name} está esperando', newMessageFrom: 'Nuevo mensaje de {name}',
  canned: 'Respuestas rápidas', cannedHint: 'Escribe /atajo en el campo de mensaje para insertar una.',
  shortcut: 'Atajo', text: 'Texto', add: 'Añadir', save: 'Guardar', delete: 'Eliminar', close: 'Cerrar', edit: 'Editar',
  site: 'Sitio', adminOnly: 'Solo los administradores del sitio pueden cambiarlas.', shortcuts: 'Atajos de teclado',
  kbBoxes: 'En espera / Mías / Todas abiertas / Resueltas', kbNextPrev: 'Conversación siguiente / anterior',
  kbClaim: 'Tomar', kbResolve: 'Resolver', kbReopen: 'Reabrir', kbTransfer: 'Transferir',
  kbReply: 'Responder', kbNote: 'Alternar nota interna', kbSearch: 'Buscar', kbHelp: 'Esta ayuda', kbEsc: 'Salir del campo de mensaje',
  errorPrefix: 'No se pudo hacer: {reason}', statusWaiting: 'En espera', statusOpen: 'Abierta', statusResolved: 'Resuelta',
  visitorLeftTitle: '{name}', you: 'tú', settings: 'Configuración',
  evEnded: '{by} terminó el chat', evRated: 'Valorada con {score} de 5',
  endedByVisitor: 'Terminada por el visitante', rating: 'Valoración', ratingOf: '{score} de 5', notRated: 'Sin valoración',
  ratingSum: 'Nota {avg} ({n} en 30 días)', ratingSumTitle: 'Valoración media de tus chats en los últimos 30 días',
  returning: 'Visitante recurrente: chat anterior n.º {id}',
  inboxTitle: 'Bandeja de entrada', youSaid: 'Tú', said: '{who}:',
  friendlyName: '{animal} {colour}',
  nameColours: 'Azul|Verde|Gris|Rosa|Naranja|Violeta|Turquesa|Lila|Marrón|Plata|Coral|Índigo|Ámbar|Jade|Escarlata|Oliva|Cian|Magenta|Bronce|Ocre|Crema|Rubí|Celeste|Menta',
  nameAnimals: 'Zorro|Búho|Nutria|Panda|Tigre|Ballena|Halcón|Koala|Lince|Garza|Delfín|Tejón|Tortuga|Pingüino|Conejo|Oso|Ciervo|Cisne|Foca|Lobo|Erizo|Loro|Cebra|Abeja|Tucán|Jaguar|Llama|Alce|Gorrión|Pulpo|Ardilla|Castor|Águila|León|Cuervo|Liebre|Cigüeña|Bisonte|Puma|Orca|Ibis|Guacamayo|Capibara|Perezoso|Armadillo|Tapir|Manatí|Colibrí',
  emptyNoChatsTitle: 'Aún no hay chats',
  emptyNoChats: 'Los chats aparecen aquí en cuanto un visitante escribe desde tu sitio. Oirás un sonido y, si lo permites, recibirás una notificación de escritorio.',
  emptyInstall: 'Para poner el chat en tu sitio, pega su código en tus páginas. Está en la configuración del sitio, con un botón para copiarlo.',
  emptyInstallLink: 'Obtener el código',
  emptyQueueTitle: 'Nadie está esperando',
  emptyQueue: 'Los chats nuevos esperan aquí hasta que alguien los toma; oirás un sonido cuando llegue uno.',
  emptyMineTitle: 'No tienes chats asignados',
  emptyMine: 'Toma un chat de En espera, o sigue en línea y te llegarán chats nuevos.',
  emptyOpenTitle: 'No hay chats abiertos', emptyOpen: 'Aquí aparecen los chats que atiende un agente.',
  emptyResolvedTitle: 'Aún no hay chats resueltos',
  emptyResolved: 'Los chats quedan aquí una vez resueltos; búscalos por nombre, correo o palabras del chat.',
  emptySearchTitle: 'Ningún chat resuelto coincide con «{q}»',
  emptySearch: 'Prueba con menos palabras o con otras: un nombre, un correo o palabras del chat.',
  clearSearch: 'Borrar la búsqueda',
  attachFiles: 'Adjuntar archivos', dropFiles: 'Suelta los archivos para adjuntarlos a tu respuesta',
  filesToSend: 'Archivos por enviar', uploadingFile: 'Subiendo {name}', cancel: 'Cancelar', retry: 'Reintentar', remove: 'Quitar',
  filesWithNote: 'Interno: estos archivos van con la nota; el visitante nunca los ve.',
  filesWait: 'Espera a que los archivos terminen de subir y luego envía.',
  filesFix: 'Reintenta o quita los archivos que no se subieron y luego envía.',
  filesInternal: 'Archivos internos: solo los ven los agentes',
  fileSent: 'Archivo · {name}', photoSent: 'Foto · {name}', filesSent: '{n} archivos', fileDownload: 'Descargar {name}', imageOpen: 'Abrir {name} a tamaño completo',
  upFileTooLarge: 'Demasiado grande: este sitio acepta archivos de hasta {max}.',
  upTypeNotAllowed: 'Este sitio no acepta este tipo de archivo.',
  upFileEmpty: 'Este archivo está vacío.',
  upImageTooLarge: 'Esta imagen tiene demasiados píxeles para enviarse.',
  upImageInvalid: 'No se puede leer esta imagen.',
  upFileInfected: 'Rechazado: el antivirus marcó este archivo.',
  upScanUnavailable: 'Ahora no se pueden analizar archivos. Reintenta en un momento.',
  upUploadsDisabled: 'Este sitio no acepta archivos (mira su configuración).',
  upRateLimited: 'Demasiadas subidas. Reintenta en {n} s.',
  upFailed: 'No se pudo subir: revisa tu conexión y reintenta.',
  upServerError: 'El servidor no pudo guardar este archivo. Reintenta.',
  upRefused: 'Rechazado por el servidor ({code}).',
};

export const CATALOGUES: Record<string, Record<Key, string>> = { en, 'pt-br': ptBR, es };
export type MessageKey = Key;
export type Language = 'en' | 'pt-br' | 'es';

export function pickLanguage(tag: string | null | undefined): Language {
  const t = (tag || '').toLowerCase();
  return t.startsWith('pt') ? 'pt-br' : t.startsWith('es') ? 'es' : 'en';
}

let current: Record<Key, string> = en;
export let lang: Language = 'en';

/** The language as Intl names it, for numbers, dates and sizes ("1,5 MB" in pt-BR and es). */
export function intlLocale(): string {
  return lang === 'pt-br' ? 'pt-BR' : lang;
}

export function setLanguage(tag: string | null | undefined): void {
  lang = pickLanguage(tag);
  current = CATALOGUES[lang];
}

/** The text for `key` with `{name}` placeholders filled (values are plain text). */
export function t(key: Key, vars?: Record<string, string | number>): string {
  return tParts(key, vars || {}).map((p) => (typeof p === 'string' ? p : p.value)).join('');
}

/** A sentence and the values in it: `{ value }` parts came from data (a name, an e-mail). */
export type Part = string | { value: string };

/**
 * The text for `key` split at its placeholders, so the UI can put each value
 * in a bidi isolate of its own (dom.ts `sentence`). A placeholder without a
 * value stays as written.
 */
export function tParts(key: Key, vars: Record<string, string | number>): Part[] {
  const s = current[key] ?? en[key] ?? key;
  return s.split(/\{(\w+)\}/).map((p, i) => (i % 2 === 0 ? p : p in vars ? { value: String(vars[p]) } : `{${p}}`));
}
