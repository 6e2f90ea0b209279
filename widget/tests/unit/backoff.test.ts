import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BACKOFF_CAP_MS, backoff } from '../../src/client/backoff';

test('delays double per attempt, between half and all of the step', () => {
  for (let attempt = 0; attempt < 6; attempt++) {
    const step = 500 * 2 ** attempt;
    assert.equal(backoff(attempt, () => 0), step / 2);
    assert.equal(backoff(attempt, () => 1), step);
  }
});

test('never waits longer than the cap, however many attempts failed', () => {
  assert.equal(backoff(50, () => 1), BACKOFF_CAP_MS);
  assert.equal(backoff(1e6, () => 1), BACKOFF_CAP_MS);
  assert.equal(backoff(50, () => 0), BACKOFF_CAP_MS / 2);
});

test('jitter spreads clients that dropped together', () => {
  const seen = new Set(Array.from({ length: 200 }, () => backoff(4)));
  assert.ok(seen.size > 50, `only ${seen.size} distinct delays`);
  for (const d of seen) assert.ok(d >= 4000 && d <= 8000, String(d));
});
