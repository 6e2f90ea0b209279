/**
 * The files chunk's words, in every language the widget speaks (they travel
 * with the chunk, so the UI chunk and its language chunks carry none of them).
 */
const en = {
  attach: 'Attach a file',
  uploading: 'Uploading {name}',
  cancel: 'Cancel',
  retry: 'Retry',
  remove: 'Remove',
  drop: 'Drop files to send them',
  // refusals, before the upload (from the site's settings) or from the server
  file_too_large: 'Too large: this site takes files up to {max}.',
  type_not_allowed: "This kind of file can't be sent here.",
  file_empty: 'This file is empty.',
  image_too_large: 'This image is too large (too many pixels).',
  image_invalid: "This image can't be read.",
  file_infected: 'This file was refused: it looks harmful.',
  scan_unavailable: "Files can't be checked right now. Try again in a moment.",
  upload_rate_limited: "You've sent many files. Try again in {n} min.",
  uploads_disabled: "Files can't be sent here.",
  failed: "Couldn't upload. Check your connection and retry.",
};
export type Words = typeof en;

const WORDS: Record<string, Words> = {
  en,
  'pt-BR': {
    attach: 'Anexar um arquivo',
    uploading: 'Enviando {name}',
    cancel: 'Cancelar',
    retry: 'Tentar de novo',
    remove: 'Remover',
    drop: 'Solte os arquivos para enviá-los',
    file_too_large: 'Grande demais: este site aceita arquivos de até {max}.',
    type_not_allowed: 'Este tipo de arquivo não pode ser enviado aqui.',
    file_empty: 'Este arquivo está vazio.',
    image_too_large: 'Esta imagem é grande demais (pixels demais).',
    image_invalid: 'Não foi possível ler esta imagem.',
    file_infected: 'Este arquivo foi recusado: parece nocivo.',
    scan_unavailable: 'Não é possível verificar arquivos agora. Tente de novo em instantes.',
    upload_rate_limited: 'Você enviou muitos arquivos. Tente de novo em {n} min.',
    uploads_disabled: 'Não é possível enviar arquivos aqui.',
    failed: 'Não foi possível enviar. Verifique sua conexão e tente de novo.',
  },
  es: {
    attach: 'Adjuntar un archivo',
    uploading: 'Subiendo {name}',
    cancel: 'Cancelar',
    retry: 'Reintentar',
    remove: 'Quitar',
    drop: 'Suelta los archivos para enviarlos',
    file_too_large: 'Demasiado grande: este sitio acepta archivos de hasta {max}.',
    type_not_allowed: 'Este tipo de archivo no se puede enviar aquí.',
    file_empty: 'Este archivo está vacío.',
    image_too_large: 'Esta imagen es demasiado grande (demasiados píxeles).',
    image_invalid: 'No se puede leer esta imagen.',
    file_infected: 'Este archivo fue rechazado: parece dañino.',
    scan_unavailable: 'No se pueden revisar archivos ahora. Inténtalo en un momento.',
    upload_rate_limited: 'Enviaste muchos archivos. Inténtalo de nuevo en {n} min.',
    uploads_disabled: 'Aquí no se pueden enviar archivos.',
    failed: 'No se pudo subir. Revisa tu conexión y reinténtalo.',
  },
};

/** The words for `locale` (English when the widget does not speak it). */
export const wordsFor = (locale: string): Words => WORDS[locale] || en;

/** "0 kB", "12 kB", "3.4 MB", "10 MB" (units of 1,000, as the labels say), in the visitor's language. */
export function size(bytes: number, locale: string): string {
  const mb = bytes >= 1e6;
  const n = bytes / (mb ? 1e6 : 1e3);
  return new Intl.NumberFormat(locale, {
    style: 'unit', unit: mb ? 'megabyte' : 'kilobyte', maximumFractionDigits: mb && n < 10 ? 1 : 0,
  }).format(bytes && !mb ? Math.max(n, 1) : n);
}
