import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from '../src/cli.js';

test('main answers with a line that names the person', () => {
  assert.match(main(['node', 'cli', 'Ada']), /Ada/);
});
