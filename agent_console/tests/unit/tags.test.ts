import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contrast, PALETTE, replaceSite, siteTags, tagsOf, textOn, type Tag } from '../../src/tags';

test('a chip’s text reads on any colour: at least 4.5:1, black or white', () => {
  assert.equal(textOn('#ffffff'), '#000000');
  assert.equal(textOn('#000000'), '#ffffff');
  assert.equal(textOn('#0055aa'), '#ffffff');
  assert.equal(textOn('#d4a72c'), '#000000');
  let worst = 21;
  for (let r = 0; r < 256; r += 15) {
    for (let g = 0; g < 256; g += 15) {
      for (let b = 0; b < 256; b += 15) {
        const bg = '#' + [r, g, b].map((x) => x.toString(16).padStart(2, '0')).join('');
        worst = Math.min(worst, contrast(bg, textOn(bg)));
      }
    }
  }
  assert.ok(worst >= 4.5, `worst contrast ${worst}`);
  for (const c of PALETTE) assert.ok(contrast(c, textOn(c)) >= 4.5, c);
});

test('a site’s tags: a tags frame replaces that site’s set only; a chat shows the tags still known', () => {
  const known = new Map<number, Tag>([
    [1, { id: 1, site: 'a', name: 'VIP', color: '#000000' }],
    [2, { id: 2, site: 'a', name: 'Billing', color: '#0055aa' }],
    [3, { id: 3, site: 'b', name: 'Bug', color: '#cf222e' }],
  ]);
  replaceSite(known, 'a', [{ id: 2, site: 'a', name: 'Bills', color: '#0055aa' }, { id: 4, site: 'a', name: 'Aardvark', color: '#ffffff' }]);
  assert.deepEqual([...known.keys()].sort(), [2, 3, 4]);
  assert.deepEqual(siteTags(known, 'a').map((x) => x.name), ['Aardvark', 'Bills']);
  assert.deepEqual(tagsOf([1, 2, 3], known).map((x) => x.id), [2, 3]);
});
