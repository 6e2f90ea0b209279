import assert from 'node:assert/strict';
import { test } from 'node:test';
import { refusal } from '../../../widget/src/ui/files/kinds';
import { setLanguage } from '../../src/i18n';
import { filesLine, preview } from '../../src/preview';
import type { Conversation } from '../../src/protocol';
import { Uploads, batches, type FileRow } from '../../src/uploads';

const file = (name: string, size = 10, type = '') => ({ name, size, type }) as unknown as File;
const row = (id: string, state: FileRow['state']): FileRow => ({
  id, file: file(id + '.pdf'), state, progress: null, code: '', detail: '',
  result: state === 'done' ? { id: 'f_' + id, name: id + '.pdf', type: 'application/pdf', size: 10, width: null, height: null } : undefined,
});

test('send takes every file of the chat, in order, or none while one is uploading or failed', () => {
  const u = new Uploads();
  u.add(1, row('a', 'done'));
  u.add(1, row('b', 'uploading'));
  u.add(2, row('c', 'done'));
  assert.equal(u.holdup(1), 'uploading');
  assert.equal(u.take(1), null);
  assert.equal(u.rows(1).length, 2); // nothing taken
  u.find(1, 'b')!.state = 'failed';
  assert.equal(u.holdup(1), 'failed');
  u.remove(1, 'b');
  assert.deepEqual(u.take(1)!.map((f) => f.id), ['f_a']);
  assert.deepEqual(u.rows(1), []);
  assert.deepEqual(u.rows(2).map((r) => r.id), ['c']); // another chat's files stay
  assert.deepEqual(u.take(3), []);
});

test('files past what one message carries go in messages of their own', () => {
  assert.deepEqual(batches([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
  assert.deepEqual(batches([], 10), []);
});

test("the site's files refuse before upload: none taken, too large, empty, a kind it does not take", () => {
  const limits = { max_bytes: 1000, types: ['image', 'pdf'] };
  assert.equal(refusal(file('a.pdf', 10), { max_bytes: 0, types: ['pdf'] }), 'uploads_disabled');
  assert.equal(refusal(file('a.pdf', 10), undefined), 'uploads_disabled');
  assert.equal(refusal(file('a.pdf', 1001), limits), 'file_too_large');
  assert.equal(refusal(file('a.pdf', 0), limits), 'file_empty');
  assert.equal(refusal(file('a.zip', 10), limits), 'type_not_allowed');
  assert.equal(refusal(file('shot', 10, 'image/png'), limits), null); // by the browser's type
  assert.equal(refusal(file('mystery.bin', 10), limits), null); // the server decides
});

test('a files-only message previews by its files, in the agent language', () => {
  setLanguage('en');
  assert.equal(filesLine([{ name: 'invoice.pdf', type: 'application/pdf' }]), 'File · invoice.pdf');
  assert.equal(filesLine([{ name: 'image.png', type: 'image/png' }]), 'Photo · image.png');
  assert.equal(filesLine([{ name: 'a', type: 'x' }, { name: 'b', type: 'y' }]), '2 files');
  assert.equal(filesLine(undefined), '');
  const c = {
    visitor: { id: 'v1', name: 'Rita', email: '', display_name: 'Rita' },
    last_message: { seq: 3, author: 'visitor', agent: null, body: '', event: '', data: {}, internal: false,
      created_at: '', files: [{ name: 'refund.pdf', type: 'application/pdf' }] },
  } as unknown as Conversation;
  assert.deepEqual(preview(c, 1), { who: 'Rita', mine: false, note: false, text: 'File · refund.pdf', body: true });
  setLanguage('pt-BR');
  assert.equal(preview(c, 1)!.text, 'Arquivo · refund.pdf');
  setLanguage('en');
});
