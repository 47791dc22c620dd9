/**
 * Every relative link of README.md and README.ja.md must resolve from the npm page, i.e. name a
 * file that ships in the package (issue 15 §8); the same for the paths `mynacard demo` names
 * last. The file list is npm's own: `npm pack --dry-run --json` (scripts off, nothing written).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { messages } from '../../src/cli/i18n.js';

const ROOT = new URL('../../', import.meta.url);

function packedFiles(): Set<string> {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [pack] = JSON.parse(out) as [{ files: { path: string }[] }];
  return new Set(pack.files.map((file) => file.path));
}

/** Targets of inline Markdown links and images, and of HTML href/src, outside code. */
function linkTargets(markdown: string): string[] {
  const text = markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
  const targets: string[] = [];
  for (const match of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) targets.push(match[1]!);
  for (const match of text.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)) targets.push(match[1]!);
  for (const match of text.matchAll(/\s(?:href|src)\s*=\s*"([^"]+)"/g)) targets.push(match[1]!);
  return targets;
}

const isAbsolute = (target: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(target);

describe('README links resolve from the npm package', () => {
  const files = packedFiles();

  it('the link parser finds inline, reference and HTML links, not code', () => {
    expect(
      linkTargets('[a](guide/x.md#s) ![i](img.png "t") `[no](code.md)`\n[ref]: SECURITY.md\n<a href="https://e.jp">x</a>\n```\n[no](no.md)\n```\n'),
    ).toEqual(['guide/x.md#s', 'img.png', 'SECURITY.md', 'https://e.jp']);
  });

  it('ships what both READMEs and examples/README.md link', () => {
    expect(files.has('README.md')).toBe(true);
    for (const readme of ['README.md', 'README.ja.md', 'examples/README.md']) {
      expect(files.has(readme), readme).toBe(true);
      const dir = path.posix.dirname(readme);
      const targets = linkTargets(readFileSync(new URL(readme, ROOT), 'utf8'));
      expect(targets.length, readme).toBeGreaterThan(0);
      const missing = targets
        .filter((target) => !isAbsolute(target) && !target.startsWith('#'))
        .map((target) => path.posix.normalize(path.posix.join(dir, decodeURI(target.replace(/#.*$/, '')))))
        .filter((file) => !files.has(file));
      expect(missing, readme).toEqual([]);
    }
  });

  it('ships no tests, vectors, sources or node_modules', () => {
    const stray = [...files].filter((file) => /^(test|src|bench|scripts|node_modules|docs\/api)\/|\/node_modules\//.test(file));
    expect(stray).toEqual([]);
  });

  it("`mynacard demo`'s last line names files that ship", () => {
    for (const [lang, readme] of [['en', 'README.md'], ['ja', 'README.ja.md']] as const) {
      const { demoDone } = messages(lang);
      expect(demoDone).toContain('node_modules/mynacard/');
      expect(demoDone).toContain(readme);
      expect(demoDone).toContain('examples/README.md');
      expect(files.has(readme) && files.has('examples/README.md')).toBe(true);
    }
  });
});
