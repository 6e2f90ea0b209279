import assert from 'node:assert/strict';
import { test } from 'node:test';
import { en as english, es, type Key, pickLocale, ptBR, translator } from '../../src/i18n';
import { contrast, ink } from '../../src/theme';
import { clean } from '../../src/ui/dom';
import { linkify } from '../../src/ui/linkify';

test('locale: data-locale, then the browser, then the site default, then English', () => {
  assert.equal(pickLocale('pt-BR', ['en-US']), 'pt-BR');
  assert.equal(pickLocale('en', ['pt-BR']), 'en');
  assert.equal(pickLocale(undefined, ['de-DE', 'pt-PT', 'en']), 'pt-BR');
  assert.equal(pickLocale('xx', ['en-GB']), 'en');
  assert.equal(pickLocale(null, ['de'], 'pt-br'), 'pt-BR');
  assert.equal(pickLocale(null, ['de']), 'en');
  assert.equal(pickLocale('es', ['en-US']), 'es');
  assert.equal(pickLocale(undefined, ['de-DE', 'es-MX', 'en']), 'es');
  assert.equal(pickLocale(null, ['fr'], 'es'), 'es');
});

test('Spanish is complete: every key, worded, with the same placeholders as English and Portuguese', () => {
  const en = translator();
  const pt = translator(ptBR);
  const slots = (s: string) => (s.match(/\{\w+\}/g) || []).sort().join();
  const keys = Object.keys(es) as Key[];
  assert.deepEqual([...keys].sort(), Object.keys(english).sort());
  for (const key of keys) {
    assert.ok(es[key].trim(), key);
    assert.equal(slots(es[key]), slots(en(key)), key);
    assert.equal(slots(es[key]), slots(pt(key)), key);
  }
  const t = translator(es);
  assert.equal(t('typing', { name: 'Ana' }), 'Ana está escribiendo…');
  assert.equal(t('resolved', { by: 'Ana' }), 'Ana marcó la conversación como resuelta');
  assert.equal(t('slow'), 'Aún no enviado');
});

test('system events are worded in the widget language from their data', () => {
  const pt = translator(ptBR);
  const en = translator();
  assert.equal(en('transferred', { from: 'Ana', to: 'Bruno' }), 'Ana passed the conversation to Bruno');
  assert.equal(pt('resolved', { by: 'Ana' }), 'Ana marcou a conversa como resolvida');
  assert.equal(en('requeuedBy', { agent: 'Ana', by: 'Bea' }), 'Waiting for the next available agent');
  assert.equal(pt('assigned', {}), ' entrou na conversa', 'missing data never prints "undefined"');
  assert.equal(en('requeued', { agent: 'Ana' }), 'Ana is away; the next available agent will answer');
  assert.equal(pt('requeued', { agent: 'Ana' }), 'Ana se ausentou; o próximo atendente disponível vai responder');
  assert.equal(en('typing'), '{name} is typing…', 'without values: the sentence as written, for sentence()');
  assert.equal(en('ended', { by: 'Rita' }), 'You ended the conversation');
  assert.equal(pt('rated', { score: '4' }), 'Você avaliou a conversa com 4 de 5');
});

test('identity strings lose their bidi controls, and keep right-to-left letters', () => {
  assert.equal(clean('\u202Eexe.live'), 'exe.live');
  assert.equal(clean('\u202Aa\u202Bb\u202Cc\u202Dd\u2066e\u2067f\u2068g\u2069h\u200Ei\u200Fj\u061Ck'), 'abcdefghijk');
  assert.equal(clean('مريم — שרה'), 'مريم — שרה');
});

test('brand colour text keeps AA contrast (4.5:1) for any colour', () => {
  for (const bg of ['#1f6feb', '#ffcc00', '#777777', '#000000', '#ffffff', '#0f9d58', '#e91e63']) {
    assert.ok(contrast(bg, ink(bg)) >= 4.5, `${bg} on ${ink(bg)}: ${contrast(bg, ink(bg)).toFixed(2)}`);
  }
});

test('only http(s) URLs become links; the rest stays text', () => {
  assert.deepEqual(linkify('see https://shop.example/a?b=1. ok'), [
    'see ',
    { href: 'https://shop.example/a?b=1', text: 'https://shop.example/a?b=1' },
    '. ok',
  ]);
  assert.deepEqual(linkify('javascript:alert(1) data:text/html,<b>x</b>'), ['javascript:alert(1) data:text/html,<b>x</b>']);
  assert.deepEqual(linkify('<img src=x onerror=alert(1)>'), ['<img src=x onerror=alert(1)>']);
  const [, link] = linkify('x http://a.example/"><script>');
  assert.deepEqual(link, { href: 'http://a.example/', text: 'http://a.example/' });
});
