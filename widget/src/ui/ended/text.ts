/**
 * The words of the end of a chat (the confirmation, the card, the rating) in
 * every language the widget speaks: they travel with the lazy chunk, not in
 * the UI chunk's tables (i18n.ts).
 */
const en = {
  endAsk: 'End this chat?',
  end: 'End chat',
  cancel: 'Cancel',
  title: 'This chat has ended',
  again: 'Write below to start a new conversation.',
  ask: 'How was this chat?',
  star: '{n} out of 5 stars',
  comment: 'Comment (optional)',
  send: 'Send rating',
  later: 'No thanks',
  thanks: 'Thanks for your rating!',
};

export type CardText = typeof en;

const TEXT: Record<string, CardText> = {
  en,
  'pt-BR': {
    endAsk: 'Encerrar esta conversa?',
    end: 'Encerrar',
    cancel: 'Cancelar',
    title: 'Esta conversa foi encerrada',
    again: 'Escreva abaixo para começar uma nova conversa.',
    ask: 'Como foi este atendimento?',
    star: '{n} de 5 estrelas',
    comment: 'Comentário (opcional)',
    send: 'Enviar avaliação',
    later: 'Agora não',
    thanks: 'Obrigado pela avaliação!',
  },
  es: {
    endAsk: '¿Terminar esta conversación?',
    end: 'Terminar',
    cancel: 'Cancelar',
    title: 'Esta conversación ha terminado',
    again: 'Escribe abajo para empezar una nueva conversación.',
    ask: '¿Qué tal fue esta conversación?',
    star: '{n} de 5 estrellas',
    comment: 'Comentario (opcional)',
    send: 'Enviar valoración',
    later: 'No, gracias',
    thanks: '¡Gracias por tu valoración!',
  },
};

export const cardText = (locale: string): CardText => TEXT[locale] || en;
