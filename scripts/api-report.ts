/**
 * The public surface of every entry point of the package, as a checked-in listing
 * (`api-report.txt`): one line per exported name with its kind (class, function, variable,
 * type, interface, enum, namespace). `test/package/api-report.test.ts` fails when the surface
 * changes and the listing was not updated; update it on purpose with `npm run api:report`.
 *
 * Read from the sources with the TypeScript compiler, so types and interfaces count as well.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The package's entry points (package.json "exports") and their source files. */
export const ENTRY_POINTS: Readonly<Record<string, string>> = {
  mynacard: 'src/index.ts',
  'mynacard/apdu': 'src/apdu/index.ts',
  'mynacard/tlv': 'src/tlv/index.ts',
  'mynacard/card-ap': 'src/aps/card-ap/index.ts',
  'mynacard/testing': 'src/testing/index.ts',
  'mynacard/pcsc': 'src/pcsc/index.ts',
  'mynacard/webusb': 'src/webusb/index.ts',
  'mynacard/web-smart-card': 'src/web-smart-card/index.ts',
  'mynacard/bridge': 'src/bridge/index.ts',
  'mynacard/react-native': 'src/react-native/index.ts',
  'mynacard/pdf': 'src/pdf/index.ts',
};

function kindOf(symbol: ts.Symbol, checker: ts.TypeChecker): string {
  const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
  const f = target.flags;
  if (f & ts.SymbolFlags.Class) return 'class';
  if (f & ts.SymbolFlags.Function) return 'function';
  if (f & ts.SymbolFlags.Enum) return 'enum';
  if (f & ts.SymbolFlags.Variable) return 'variable';
  if (f & ts.SymbolFlags.Interface) return 'interface';
  if (f & ts.SymbolFlags.TypeAlias) return 'type';
  if (f & ts.SymbolFlags.Module) return 'namespace';
  return 'other';
}

/** The report text: `<entry> <kind> <name>` lines, sorted. */
export function apiReport(): string {
  const files = Object.values(ENTRY_POINTS).map((file) => path.join(ROOT, file));
  const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile).config as object;
  const options = ts.parseJsonConfigFileContent(config, ts.sys, ROOT).options;
  const program = ts.createProgram(files, { ...options, noEmit: true });
  const checker = program.getTypeChecker();
  const lines: string[] = [];
  for (const [entry, file] of Object.entries(ENTRY_POINTS)) {
    const source = program.getSourceFile(path.join(ROOT, file));
    const module = source && checker.getSymbolAtLocation(source);
    if (!module) throw new Error(`cannot read the exports of ${file}`);
    for (const symbol of checker.getExportsOfModule(module)) lines.push(`${entry} ${kindOf(symbol, checker)} ${symbol.getName()}`);
  }
  return `${lines.sort().join('\n')}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(path.join(ROOT, 'api-report.txt'), apiReport());
  console.log('api-report.txt written');
}
