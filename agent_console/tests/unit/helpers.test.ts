import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cannedQuery, expandExact, matchCanned } from '../../src/canned';
import { agentRating } from '../../src/rating';
import { clean, isolated, safeHttpUrl, systemParts, systemText, titleWithCount } from '../../src/format';
import { CATALOGUES, pickLanguage, setLanguage, t, tParts } from '../../src/i18n';
import { parseUserAgent } from '../../src/ua';

const canned = [
  { id: 1, site: 'a', shortcut: 'hello', body: 'Hello! How can I help?' },
  { id: 2, site: 'a', shortcut: 'refund', body: 'Refunds take 5 days.' },
  { id: 3, site: 'a', shortcut: 'help-center', body: 'See our help center.' },
  { id: 4, site: 'b', shortcut: 'hello', body: 'Olá (site B)' },
];

test('canned: /query only when the composer holds just the shortcut', () => {
  assert.equal(cannedQuery('/he'), 'he');
  assert.equal(cannedQuery('/'), '');
  assert.equal(cannedQuery('say /he'), null);
  assert.equal(cannedQuery('/he llo'), null);
});

test('canned: prefix matches first, other sites never', () => {
  assert.deepEqual(matchCanned(canned, 'a', 'he').map((c) => c.id), [1, 3]);
  assert.deepEqual(matchCanned(canned, 'a', 'days').map((c) => c.id), [2]);
  assert.deepEqual(matchCanned(canned, 'b', '').map((c) => c.id), [4]);
  assert.equal(expandExact(canned, 'a', '/hello'), 'Hello! How can I help?');
  assert.equal(expandExact(canned, 'b', '/hello '), 'Olá (site B)');
  assert.equal(expandExact(canned, 'a', '/nope'), null);
});

test('user agents: browser and OS', () => {
  const cases: Array<[string, string, string]> = [
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'Chrome 131', 'Windows 10/11'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15', 'Safari 17', 'macOS 10.15'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1', 'Safari 17', 'iOS 17'],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Firefox 128', 'Linux'],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36', 'Chrome 130', 'Android 14'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.2849.68', 'Edge 130', 'Windows 10/11'],
    ['', '', ''],
  ];
  for (const [ua, browser, os] of cases) assert.deepEqual(parseUserAgent(ua), { browser, os }, ua);
});

test('i18n: one catalogue, every language complete', () => {
  assert.equal(pickLanguage('pt-BR'), 'pt-br');
  assert.equal(pickLanguage('pt'), 'pt-br');
  assert.equal(pickLanguage('es'), 'es');
  assert.equal(pickLanguage('es-MX'), 'es');
  assert.equal(pickLanguage('de'), 'en');
  const en = Object.keys(CATALOGUES.en).sort();
  for (const language of ['pt-br', 'es']) {
    assert.deepEqual(Object.keys(CATALOGUES[language]).sort(), en, language);
    for (const k of en) assert.ok((CATALOGUES[language] as Record<string, string>)[k], `${language} ${k}`);
  }
  setLanguage('es');
  assert.equal(t('claim'), 'Tomar');
  assert.equal(systemText({ event: 'transferred', data: { from: 'Ana', to: 'Bruno' } }), 'Transferida de Ana a Bruno');
  assert.equal(agentRating({ id: 3, name: 'Ana', status: 'online' as const, open: 0, rating: { average: 4.25, count: 12 } }), 'Nota 4,3 (12 en 30 días)');
  setLanguage('pt-BR');
  assert.equal(t('claim'), 'Assumir');
  assert.equal(systemText({ event: 'transferred', data: { from: 'Ana', to: 'Bruno' } }), 'Transferida de Ana para Bruno');
  setLanguage('en');
  assert.equal(systemText({ event: 'resolved', data: { by: 'Ana' } }), 'Resolved by Ana');
  assert.equal(systemText({ event: 'requeued', data: { agent: 'Ana' } }), 'Ana went offline; back in the queue');
  assert.equal(systemText({ event: 'requeued', data: { agent: 'Ana', by: 'Bea' } }), 'Sent back to the queue by Bea');
  assert.equal(t('typing', { name: '<b>x</b>' }), '<b>x</b> is typing…', 'placeholders are plain text');
  assert.equal(systemText({ event: 'ended', data: { by: 'Rita' } }), 'Rita ended the chat');
  assert.equal(systemText({ event: 'rated', data: { score: '4', comment: 'ok' } }), 'Rated 4 out of 5');
  const ana = { id: 3, name: 'Ana', status: 'online' as const, open: 0 };
  assert.equal(agentRating({ ...ana, rating: { average: 4.25, count: 12 } }), 'Rated 4.3 (12 in 30 days)');
  assert.equal(agentRating({ ...ana, rating: null }), '', 'no ratings: nothing shown');
  assert.equal(agentRating(ana), '');
});

test('sentences keep their values apart, so the UI can isolate each', () => {
  setLanguage('en');
  assert.deepEqual(tParts('typing', { name: '\u202Eexe.live' }), ['', { value: '\u202Eexe.live' }, ' is typing…']);
  assert.deepEqual(systemParts({ event: 'requeued', data: { agent: 'Ana' } }), ['', { value: 'Ana' }, ' went offline; back in the queue']);
  assert.deepEqual(tParts('capacity', { n: 2 }), ['Chats ', { value: '2' }, ' of ', '{max}', ''], 'a missing value stays as written');
  assert.equal(t('typing'), '{name} is typing…');
});

test('identity strings lose their bidi controls; text-only places get them isolated', () => {
  assert.equal(clean('\u202Eexe.live'), 'exe.live');
  assert.equal(clean('\u202Aa\u202Bb\u202Cc\u202Dd\u2066e\u2067f\u2068g\u2069h\u200Ei\u200Fj\u061Ck'), 'abcdefghijk');
  assert.equal(clean('مريم — שרה'), 'مريم — שרה');
  assert.equal(clean(null), '');
  assert.equal(isolated('\u202Eexe.live\u2069'), '\u2068exe.live\u2069', 'a stray PDI cannot close the isolate early');
});

test('title count and safe links', () => {
  assert.equal(titleWithCount('Papo', 0), 'Papo');
  assert.equal(titleWithCount('Papo', 3), '(3) Papo');
  assert.equal(titleWithCount('Papo', 120), '(99+) Papo');
  assert.equal(safeHttpUrl('https://shop.example/cart?x=1'), 'https://shop.example/cart?x=1');
  assert.equal(safeHttpUrl('javascript:alert(1)'), null);
  assert.equal(safeHttpUrl('data:text/html,hi'), null);
  assert.equal(safeHttpUrl('not a url'), null);
});
