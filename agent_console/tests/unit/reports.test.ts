import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setLanguage } from '../../src/i18n';
import { REPORT_CATALOGUES, duration, hour, num, rt } from '../../src/ui/reports_text';

test('the reports speak every language, every word', () => {
  const en = Object.keys(REPORT_CATALOGUES.en).sort();
  for (const language of ['pt-br', 'es'] as const) {
    assert.deepEqual(Object.keys(REPORT_CATALOGUES[language]).sort(), en, language);
    for (const k of en) assert.ok((REPORT_CATALOGUES[language] as Record<string, string>)[k], `${language} ${k}`);
  }
});

test('a duration is said in its largest sensible unit, as the language writes numbers', () => {
  setLanguage('en');
  assert.equal(duration(null), '—');
  assert.equal(duration(45.25), '45 s');
  assert.equal(duration(60), '1 min');
  assert.equal(duration(75), '1.3 min');
  assert.equal(duration(950.4), '16 min');
  assert.equal(duration(5400), '1.5 h');
  assert.equal(duration(3 * 86400), '3 d');
  assert.equal(num(12345), '12,345');
  setLanguage('pt-BR');
  assert.equal(duration(75), '1,3 min');
  assert.equal(num(12345), '12.345');
  assert.equal(rt('csatValue', { avg: num(3.8, 1) }), '3,8 de 5');
  assert.equal(hour(9), '09:00');
  setLanguage('es');
  assert.equal(duration(75), '1,3 min');
  assert.equal(rt('csatValue', { avg: num(3.8, 1) }), '3,8 de 5');
  setLanguage('en');
});
