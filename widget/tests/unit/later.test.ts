import assert from 'node:assert/strict';
import { test } from 'node:test';
import { later } from '../../src/ui/later';

const place = (position: number, wait: number | null, beyond = false) => ({
  type: 'queue' as const, conversation: 7, position, beyond, wait,
});

test('a place in the queue and its wait, worded without false precision', () => {
  const en = later('en');
  assert.equal(en.place(place(3, null)), "You're number 3 in line");
  assert.equal(en.place(place(1, 0)), "You're number 1 in line · Estimated wait: under a minute");
  assert.equal(en.place(place(2, 1)), "You're number 2 in line · Estimated wait: a few minutes");
  assert.equal(en.place(place(2, 5)), "You're number 2 in line · Estimated wait: a few minutes");
  assert.equal(en.place(place(4, 10)), "You're number 4 in line · Estimated wait: about 10 minutes");
  assert.equal(en.place(place(50, 60, true)), "You're number 50+ in line · Estimated wait: an hour or more");
  assert.equal(later('pt-BR').place(place(3, 15)), 'Você é o número 3 da fila · Espera estimada: cerca de 15 minutos');
  assert.equal(later('es').place(place(2, 0)), 'Eres el número 2 en la fila · Espera estimada: menos de un minuto');
  assert.equal(later('de').ask, 'Notify me', 'a language it does not speak reads English');
});

test('when the team is back: today, tomorrow, a weekday, a date; nothing once passed', () => {
  const en = later('en');
  const day = 864e5;
  const at = (days: number, hour: number) => {
    const d = new Date();
    d.setHours(hour, 30, 0, 0);
    return new Date(d.getTime() + days * day);
  };
  const time = (d: Date) => d.toLocaleTimeString('en', { hour: 'numeric', minute: '2-digit' });
  const soon = new Date(Date.now() + 60_000);
  assert.match(en.back(soon.toISOString()), /^We're back (today|tomorrow) at /);
  const tomorrow = at(1, 9);
  assert.equal(en.back(tomorrow.toISOString()), `We're back tomorrow at ${time(tomorrow)}.`);
  const friday = at(4, 14);
  const weekday = friday.toLocaleDateString('en', { weekday: 'long' });
  assert.equal(en.back(friday.toISOString()), `We're back ${weekday} at ${time(friday)}.`);
  const far = at(12, 9);
  assert.match(en.back(far.toISOString()), new RegExp(`^We're back ${far.toLocaleDateString('en', { weekday: 'long' })}, `));
  assert.equal(en.back(new Date(Date.now() - 1000).toISOString()), '');
  assert.equal(later('pt-BR').back(tomorrow.toISOString()), `Voltamos amanhã às ${tomorrow.toLocaleTimeString('pt-BR', { hour: 'numeric', minute: '2-digit' })}.`);
});

test('the away copy promises an e-mail in the words of each language', () => {
  assert.equal(later('en').w.replyTo, "We'll e-mail you at {email}.");
  assert.equal(later('en').w.here, "We'll answer here when we're back.");
  assert.equal(later('pt-BR').w.here, 'Responderemos aqui quando voltarmos.');
  assert.equal(later('es').w.replyTo, 'Te escribiremos a {email}.');
});
