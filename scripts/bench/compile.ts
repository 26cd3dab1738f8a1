/**
 * The brokers run as plain JavaScript, as `npm start` runs the server, and
 * without the tsx loader: its module-loader thread has a heap of its own that
 * shrinks at random moments and would blur RSS readings by about a KiB per
 * connection. This transpiles (TypeScript's transpileModule: no type check,
 * which `npm run typecheck` does) the project's peer-server/ and src/shared/
 * and the bench's broker entry with what it imports into .bench/ (git-ignored),
 * again only when a source changed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '../..');
const BENCH_FILES = ['broker-child.ts', 'ipc.ts', 'socketio-relay.ts'];

export interface Compiled {
  /** The broker entry, plain JavaScript. */
  brokerEntry: string;
  /** The folder holding the compiled peer-server/ (and src/shared/). */
  serverDir: string;
}

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  verbatimModuleSyntax: true,
  rewriteRelativeImportExtensions: true,
  sourceMap: false,
};

function sourcesOf(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts'))
    .map((f) => path.join(dir, f));
}

function transpile(file: string, out: string): void {
  const { outputText, diagnostics } = ts.transpileModule(fs.readFileSync(file, 'utf8'), { compilerOptions: OPTIONS, fileName: file, reportDiagnostics: true });
  if (diagnostics?.length) throw new Error(`${file}: ${ts.flattenDiagnosticMessageText(diagnostics[0]!.messageText, '\n')}`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, outputText);
}

export function compileForBench(projectDir: string, outDir: string): Compiled {
  const serverDir = path.join(outDir, 'project');
  const benchDir = path.join(outDir, 'bench');
  const brokerEntry = path.join(benchDir, 'broker-child.js');
  const project = [...sourcesOf(path.join(projectDir, 'peer-server')), ...sourcesOf(path.join(projectDir, 'src/shared'))];
  const bench = BENCH_FILES.map((f) => path.join(HERE, f));
  // Paths, sizes and modification times: an unchanged tree is not transpiled again.
  const stamp = [...project, ...bench]
    .sort()
    .map((f) => {
      const st = fs.statSync(f);
      return `${f} ${st.size} ${st.mtimeMs}`;
    })
    .join('\n');
  const stampFile = path.join(outDir, 'stamp');
  if (fs.existsSync(brokerEntry) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) return { brokerEntry, serverDir };

  fs.rmSync(outDir, { recursive: true, force: true });
  for (const file of project) transpile(file, path.join(serverDir, path.relative(projectDir, file)).replace(/\.ts$/, '.js'));
  for (const file of bench) transpile(file, path.join(benchDir, path.basename(file)).replace(/\.ts$/, '.js'));
  if (!fs.existsSync(path.join(serverDir, 'peer-server/server.js'))) throw new Error(`${projectDir} has no peer-server/server.ts`);
  // Plain .js files are ES modules, as in the repository.
  fs.writeFileSync(path.join(outDir, 'package.json'), '{"type":"module"}\n');
  fs.writeFileSync(stampFile, stamp);
  return { brokerEntry, serverDir };
}
