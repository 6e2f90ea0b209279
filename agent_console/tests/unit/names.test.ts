import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setLanguage, t } from '../../src/i18n';
import { friendlyName, visitorName } from '../../src/names';
import { preview } from '../../src/preview';
import type { Conversation } from '../../src/protocol';

const anon = { id: '9936c41b2f7e4c1d', name: '', email: '' };

test('a visitor is their name, else their e-mail, else a friendly name from their id', () => {
  setLanguage('en');
  assert.equal(visitorName({ ...anon, name: 'Rita', email: 'rita@x.example' }), 'Rita');
  assert.equal(visitorName({ ...anon, email: 'rita@x.example' }), 'rita@x.example');
  assert.equal(visitorName({ ...anon, name: '\u202e', email: '' }), friendlyName(anon.id), 'bidi controls alone are no name');
  assert.match(visitorName(anon), /^[A-Z][a-z]+ [A-Z][a-z]+$/);
  assert.doesNotMatch(visitorName(anon), /Visitor/);
});

test('the friendly name is stable, and the same pair in every language', () => {
  setLanguage('en');
  const en = friendlyName(anon.id);
  assert.equal(friendlyName(anon.id), en);
  assert.notEqual(friendlyName('another-id'), en);
  const colours = t('nameColours').split('|');
  const animals = t('nameAnimals').split('|');
  const [c, a] = en.split(' ');
  setLanguage('pt-BR');
  const ptColours = t('nameColours').split('|');
  const ptAnimals = t('nameAnimals').split('|');
  assert.equal(ptColours.length, colours.length);
  assert.equal(ptAnimals.length, animals.length);
  assert.equal(friendlyName(anon.id), `${ptAnimals[animals.indexOf(a)]} ${ptColours[colours.indexOf(c)]}`, 'pt-BR: animal, then colour');
  setLanguage('es');
  const esColours = t('nameColours').split('|');
  const esAnimals = t('nameAnimals').split('|');
  assert.equal(esColours.length, colours.length);
  assert.equal(esAnimals.length, animals.length);
  assert.equal(friendlyName(anon.id), `${esAnimals[animals.indexOf(a)]} ${esColours[colours.indexOf(c)]}`, 'es: animal, then colour');
  setLanguage('en');
  const seen = new Set(Array.from({ length: 2000 }, (_, i) => friendlyName('v' + i)));
  assert.ok(seen.size > 600, `ids spread over the pairs (${seen.size})`);
});

function conv(last: Partial<NonNullable<Conversation['last_message']>>, over: Partial<Conversation> = {}): Conversation {
  return {
    id: 1, site: 'pk_a', status: 'open', assignee: { id: 3, name: 'Ana' },
    visitor: { ...anon, verified: false, display_name: 'Visitor 9936c41b', page_url: '', page_title: '', referrer: '', user_agent: '', locale: '', timezone: '', first_seen_at: '', last_seen_at: '' },
    last_seq: 2, visitor_read_seq: 0, agent_read_seq: 0, created_at: '', updated_at: '', queued_at: null, first_agent_reply_at: null, resolved_at: null,
    ended_by: '', rating: null,
    last_message: { seq: 2, author: 'visitor', agent: null, body: 'hi', event: '', data: {}, internal: false, created_at: '', ...last },
    ...over,
  };
}

test('previews say who said what', () => {
  setLanguage('en');
  const name = friendlyName(anon.id);
  assert.deepEqual(preview(conv({ body: 'Where is it?' }), 3), { who: name, mine: false, note: false, text: 'Where is it?', body: true });
  assert.deepEqual(preview(conv({ author: 'agent', agent: { id: 3, name: 'Ana' }, body: 'On its way' }), 3)?.who, 'You');
  assert.deepEqual(preview(conv({ author: 'agent', agent: { id: 3, name: 'Ana' }, body: 'On its way' }), 9)?.who, 'Ana');
  assert.equal(preview(conv({ author: 'agent', agent: { id: 3, name: 'Ana' }, internal: true }), 3)?.note, true);
  assert.equal(preview(conv({ author: 'system', event: 'assigned', data: { agent: 'Ana' } }), 3)?.text, 'Ana took the conversation');
  assert.equal(preview(conv({ author: 'system', event: 'ended', data: { by: 'Visitor 9936c41b' } }), 3)?.text, `${name} ended the chat`);
  assert.equal(preview(conv({ author: 'system', event: 'rated', data: {} }, { rating: { score: 4, comment: '', rated_at: '' } }), 3)?.text, 'Rated 4 out of 5');
  setLanguage('pt-BR');
  assert.equal(preview(conv({ author: 'agent', agent: { id: 3, name: 'Ana' }, body: 'x' }), 3)?.who, 'Você');
  assert.equal(preview(conv({ author: 'system', event: 'assigned', data: { agent: 'Ana' } }), 3)?.text, 'Ana assumiu a conversa');
  setLanguage('en');
  assert.equal(preview(conv({}, { last_message: null }), 3), null);
});
