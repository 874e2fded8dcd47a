// terminalPath: what a terminal line shows for a path — relative inside the working directory, absolute outside it.
import { describe, expect, it } from 'vitest';
import { terminalPath } from '../src/util/terminal-path.ts';

describe('terminalPath', () => {
  it('is relative inside the base, absolute outside, unchanged when already relative', () => {
    expect(terminalPath('/work/study/out/micro/report', '/work/study')).toBe('out/micro/report');
    expect(terminalPath('/work/study', '/work/study')).toBe('.');
    expect(terminalPath('/tmp/other/plans/a.json', '/work/study')).toBe('/tmp/other/plans/a.json');
    expect(terminalPath('/work/study-2/x', '/work/study')).toBe('/work/study-2/x');
    expect(terminalPath('out/x', '/work/study')).toBe('out/x');
  });
});
