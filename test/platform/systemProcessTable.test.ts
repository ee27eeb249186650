import { describe, expect, it } from 'vitest';
import { linuxProcessTable } from '../../src/platform/linuxProcessTable.js';
import { posixProcessTable } from '../../src/platform/posixProcessTable.js';
import { selectProcessTable, systemProcessTable } from '../../src/platform/systemProcessTable.js';

describe('selectProcessTable', () => {
  it('takes /proc where it is mounted, else ps', () => {
    expect(selectProcessTable({ procPresent: true })).toBe(linuxProcessTable);
    expect(selectProcessTable({ procPresent: false })).toBe(posixProcessTable);
  });

  it('follows an explicit choice either way', () => {
    expect(selectProcessTable({ procPresent: true, choice: 'posix' })).toBe(posixProcessTable);
    expect(selectProcessTable({ procPresent: false, choice: 'linux' })).toBe(linuxProcessTable);
  });
});

describe.runIf(process.platform === 'linux')('systemProcessTable on Linux', () => {
  it('is the /proc table', () => {
    expect(systemProcessTable.name).toBe('linux');
  });
});
