import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileSink } from '../../src/sinks/file.js';
import { createLogger } from '../../src/logger.js';
import { withTmpDir } from '../helpers/tmp.js';

const log = createLogger('silent');

test('recover() cuts a torn last line and leaves whole files alone', async () => {
  await withTmpDir('srx-sink-', async (dir) => {
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'a', '2026-01-01.ndjson'), '{"n":1}\n{"n":2}\n{"n":3');
    writeFileSync(join(dir, 'a', '2026-01-02.ndjson'), '{"n":1}\n');
    writeFileSync(join(dir, 'a', '2026-01-03.ndjson'), '{"no newline at all"');
    const sink = new FileSink({ dir, fsync: true, retentionDays: 0, maxBytes: 0, log });
    assert.equal(await sink.recover(), 2);
    assert.equal(readFileSync(join(dir, 'a', '2026-01-01.ndjson'), 'utf8'), '{"n":1}\n{"n":2}\n');
    assert.equal(readFileSync(join(dir, 'a', '2026-01-02.ndjson'), 'utf8'), '{"n":1}\n');
    assert.equal(readFileSync(join(dir, 'a', '2026-01-03.ndjson'), 'utf8'), '');
    assert.equal(await sink.recover(), 0);
  });
});
