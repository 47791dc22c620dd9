/**
 * Every card-fact citation resolves inside the repository: a comment that says `card-facts §3.2`
 * (or `cert-profile §2`, `opensc-jpki-apdus.md §3`) names a document in `docs/` that has a heading
 * for that section, and no file names a folder of the machine the facts were compiled on.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

/** The reference documents code may cite, by the name used in citations. */
const DOCUMENTS = ['card-facts', 'cert-profile', 'opensc-jpki-apdus', 'next-wave'] as const;
type DocumentName = (typeof DOCUMENTS)[number];

const TEXT_FILE = /\.(?:ts|mts|mjs|js|md)$/;
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'dist', 'coverage', 'api']);

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) out.push(...listFiles(join(dir, entry.name)));
    } else if (TEXT_FILE.test(entry.name)) {
      out.push(join(dir, entry.name));
    }
  }
  return out;
}

/** Join comment continuation lines (` * ` and `// ` prefixes) so a citation may wrap. */
function unwrap(text: string): string {
  return text.replace(/\r?\n[ \t]*(?:\*(?!\/)|\/\/)?[ \t]*/g, ' ');
}

/** Another document or standard: its `§` numbers are not ours. */
const OTHER_SOURCE = /\b(?:RFC|ISO|IEC|CCID|USB|PKCS|X\.690|JICSAP|JIS|issue|card-facts|cert-profile|opensc-jpki-apdus|next-wave)\b/;

/**
 * The part of `text` after a document name that still belongs to the citation: up to the end
 * of the sentence, an unbalanced `)`, a `;`, the end of a comment or code span, or the name of
 * another source (at most 120 characters).
 */
function citationTail(text: string): string {
  let depth = 0;
  let end = Math.min(text.length, 120);
  for (let i = 0; i < end; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) {
        end = i;
        break;
      }
      depth--;
    } else if (c === ';' || c === '`' || c === '\'' || (c === '*' && text[i + 1] === '/')) {
      end = i;
      break;
    } else if (c === '.' && (i + 1 === text.length || /\s/.test(text[i + 1] ?? ''))) {
      end = i;
      break;
    }
  }
  const tail = text.slice(0, end);
  const other = OTHER_SOURCE.exec(tail);
  return other === null ? tail : tail.slice(0, other.index);
}

interface Citation {
  readonly file: string;
  readonly document: DocumentName;
  /** Section number without `§`, e.g. `3.2`; undefined for a citation of the whole document. */
  readonly section: string | undefined;
  /** The folder written before the document name (`docs/`, `reference/`…), if any. */
  readonly folder: string | undefined;
}

/** Every citation of a reference document in one file's text. */
function findCitations(file: string, text: string): Citation[] {
  const flat = unwrap(text);
  const out: Citation[] = [];
  const name = new RegExp(`([\\w./-]*/)?\\b(${DOCUMENTS.join('|')})(?!-)(\\.md)?\\b(?!\\.test|\\.ts)`, 'g');
  for (const m of flat.matchAll(name)) {
    const document = m[2] as DocumentName;
    const folder = m[1];
    const tail = citationTail(flat.slice(m.index + m[0].length));
    const sections = [...tail.matchAll(/§\s?(\d+(?:\.\d+)*)/g)].map((s) => s[1]);
    if (sections.length === 0) out.push({ file, document, section: undefined, folder });
    for (const section of sections) out.push({ file, document, section, folder });
  }
  return out;
}

/** Section numbers of a document's `##` / `###` headings (`## 5. …` → 5, `### 3.2 …` → 3.2). */
function headingNumbers(markdown: string): Set<string> {
  const numbers = new Set<string>();
  for (const m of markdown.matchAll(/^#{2,3}[ \t]+(\d+(?:\.\d+)*)\.?[ \t]/gm)) numbers.add(m[1] ?? '');
  return numbers;
}

// This file is left out: its scanner samples name documents and folders on purpose.
const sourceFiles = ['src', 'test', 'bench', 'examples', 'scripts']
  .map((d) => join(ROOT, d))
  .filter((d) => existsSync(d))
  .flatMap(listFiles)
  .filter((f) => f !== import.meta.filename);
const citations = sourceFiles.flatMap((f) => findCitations(relative(ROOT, f), readFileSync(f, 'utf8')));

describe('card-fact citations', () => {
  it('finds the citations (the scan itself works)', () => {
    const cardFacts = citations.filter((c) => c.document === 'card-facts' && c.section !== undefined);
    expect(cardFacts.length).toBeGreaterThan(100);
    expect(cardFacts.some((c) => c.file === 'src/testing/virtual-card/jpki-ap.ts' && c.section === '3.1')).toBe(true);
  });

  it('every cited document exists in docs/', () => {
    const missing = [...new Set(citations.map((c) => c.document))]
      .filter((d) => !existsSync(join(ROOT, 'docs', `${d}.md`)))
      .map((d) => `${d}: cited in ${citations.find((c) => c.document === d)?.file}`);
    expect(missing).toEqual([]);
  });

  it('every cited section has a heading in its document', () => {
    const unresolved: string[] = [];
    for (const document of DOCUMENTS) {
      const cited = citations.filter((c) => c.document === document && c.section !== undefined);
      if (cited.length === 0) continue;
      const path = join(ROOT, 'docs', `${document}.md`);
      const headings = existsSync(path) ? headingNumbers(readFileSync(path, 'utf8')) : new Set<string>();
      for (const c of cited) {
        if (!headings.has(c.section ?? '')) unresolved.push(`${c.file}: ${document} §${c.section}`);
      }
    }
    expect([...new Set(unresolved)]).toEqual([]);
  });

  it('a document named with a folder names docs/', () => {
    const elsewhere = citations
      .filter((c) => c.folder !== undefined && c.folder !== 'docs/')
      .map((c) => `${c.file}: ${c.folder}${c.document}`);
    expect(elsewhere).toEqual([]);
  });

  it('every linked docs/*.md file exists', () => {
    const files = [...sourceFiles, join(ROOT, 'README.md'), join(ROOT, 'README.ja.md')];
    const missing: string[] = [];
    for (const f of files) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\bdocs\/([\w-]+\.md)\b/g)) {
        if (!existsSync(join(ROOT, 'docs', m[1] ?? ''))) missing.push(`${relative(ROOT, f)}: docs/${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('the READMEs point to docs/card-facts.md', () => {
    for (const readme of ['README.md', 'README.ja.md']) {
      expect(readFileSync(join(ROOT, readme), 'utf8')).toContain('(docs/card-facts.md)');
    }
  });
});

describe('no path of the machine the facts were compiled on', () => {
  // Built from parts so that this file does not match itself.
  const work = ['', 'work', ''].join('/');
  const shared = new RegExp(['shared', '(?:reference|real-data|jpki-roots|pcsc-lab)\\b'].join('/'));
  const files = [
    ...['src', 'test', 'bench', 'examples', 'scripts', 'docs'].map((d) => join(ROOT, d)).filter(existsSync).flatMap(listFiles),
    ...readdirSync(ROOT).filter((f) => f.endsWith('.md')).map((f) => join(ROOT, f)),
  ];

  it('names no such folder in docs, comments or READMEs', () => {
    const hits: string[] = [];
    for (const f of files) {
      const lines = readFileSync(f, 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (line.includes(work) || shared.test(line)) hits.push(`${relative(ROOT, f)}:${i + 1}`);
      });
    }
    expect(hits).toEqual([]);
  });
});

describe('the citation scanner', () => {
  it('reads lists, ranges and wrapped comments, and stops at another source', () => {
    const text = [
      '/** SELECT (A4). card-facts §2, §4, §9 items 1–2 */',
      '// card-facts §3.2–§3.3 and cert-profile §2; RFC 8017 §9.2',
      ' * the EF (card-facts',
      ' * §3.1.) then USB 2.0 §9.4.3',
      ' * from `reference/card-facts.md`, see opensc-jpki-apdus.md §3',
    ].join('\n');
    const found = findCitations('x.ts', text).map((c) => `${c.folder ?? ''}${c.document}${c.section === undefined ? '' : ` §${c.section}`}`);
    expect(found).toEqual([
      'card-facts §2',
      'card-facts §4',
      'card-facts §9',
      'card-facts §3.2',
      'card-facts §3.3',
      'cert-profile §2',
      'card-facts §3.1',
      'reference/card-facts',
      'opensc-jpki-apdus §3',
    ]);
  });

  it('reads heading numbers of both levels', () => {
    expect([...headingNumbers('## 5. PINs\n### 3.2 Text AP\n### Status words\n#### 9.8 no\n')]).toEqual(['5', '3.2']);
  });
});
