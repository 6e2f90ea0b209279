/**
 * What the console calls a visitor, the same in the list, the thread, the
 * header, the sidebar and notifications: their name, else their e-mail, else a
 * friendly name made from their public id ("Blue Fox", in Portuguese "Raposa
 * Azul"). The server's `display_name` ("Visitor 9f0c1e2a") is never shown.
 */
import { clean } from './format';
import { t } from './i18n';

interface Named { id: string; name: string; email: string }

export function visitorName(v: Named): string {
  return clean(v.name).trim() || clean(v.email).trim() || friendlyName(v.id);
}

/**
 * A stable pair of a colour and an animal for `id`: the same id gives the
 * same pair in every language (the lists in i18n.ts share their order), so
 * agents speaking different languages still mean the same visitor.
 */
export function friendlyName(id: string): string {
  const colours = t('nameColours').split('|');
  const animals = t('nameAnimals').split('|');
  const n = hash(id);
  return t('friendlyName', { colour: colours[n % colours.length], animal: animals[Math.floor(n / colours.length) % animals.length] });
}

/** FNV-1a, 32 bits: small, stable, spreads short ids well. */
export function hash(s: string): number {
  let x = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    x ^= s.charCodeAt(i);
    x = Math.imul(x, 0x01000193) >>> 0;
  }
  return x;
}
