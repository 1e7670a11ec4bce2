import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, type Manifest } from '../manifest';
import type { SchemaError } from './index';

/** Argo CD and Argo Rollouts share the argoproj.io group; each package declares its own kinds. */
const ARGO_CD_KINDS = new Set(['Application', 'ApplicationSet', 'AppProject']);
const ARGO_ROLLOUTS_KINDS = new Set(['Rollout', 'AnalysisTemplate', 'ClusterAnalysisTemplate', 'AnalysisRun', 'Experiment']);

/**
 * Kinds with a model on npm (kubernetes-models and @kubernetes-models/istio, argo-cd, argo-rollouts):
 * the module that declares `I<Kind>`, or undefined when the package does not cover the apiVersion.
 */
const MODEL_PACKAGES: readonly ((apiVersion: string, kind: string) => string | undefined)[] = [
  // Kubernetes' own groups: the core group ("v1"), unqualified groups (apps, batch, policy, ...) and *.k8s.io.
  (apiVersion, kind) => {
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    return group === '' || !group.includes('.') || group.endsWith('.k8s.io') ? `kubernetes-models/${apiVersion}/${kind}` : undefined;
  },
  (apiVersion, kind) =>
    /^(networking|security|telemetry)\.istio\.io\/v1$/.test(apiVersion) ? `@kubernetes-models/istio/${apiVersion}/${kind}` : undefined,
  (apiVersion, kind) =>
    apiVersion === 'argoproj.io/v1alpha1' && ARGO_CD_KINDS.has(kind) ? `@kubernetes-models/argo-cd/${apiVersion}/${kind}` : undefined,
  (apiVersion, kind) =>
    apiVersion === 'argoproj.io/v1alpha1' && ARGO_ROLLOUTS_KINDS.has(kind)
      ? `@kubernetes-models/argo-rollouts/${apiVersion}/${kind}`
      : undefined,
];

export function modelModule(object: Manifest): string | undefined {
  for (const resolveModule of MODEL_PACKAGES) {
    const module = resolveModule(object.apiVersion, object.kind);
    if (module) return module;
  }
  return undefined;
}

/**
 * Checks objects against their model's TypeScript interface. The models' own runtime validators
 * accept unknown fields; the compiler does not: each object becomes a literal of `I<Kind>`, and
 * excess-property checks refuse a field the API does not have at any depth, besides wrong types and
 * missing required fields. One program for all objects keeps it to a few seconds.
 */
export function checkWithModels(objects: readonly Manifest[]): SchemaError[] {
  if (objects.length === 0) return [];
  const dir = mkdtempSync(join(resolve(__dirname, '..', '..'), '.schema-check-'));
  const file = join(dir, 'objects.ts');
  const imports = new Map<string, string>();
  const spans: { start: number; end: number; object: Manifest }[] = [];
  let body = '';
  objects.forEach((object, index) => {
    const module = modelModule(object) as string;
    let alias = imports.get(module);
    if (!alias) {
      alias = `T${imports.size}`;
      imports.set(module, alias);
    }
    const declaration = `export const o${index}: ${alias} = `;
    const literal = JSON.stringify(object, null, 1);
    spans.push({ start: body.length + declaration.length, end: body.length + declaration.length + literal.length, object });
    body += `${declaration}${literal};\n`;
  });
  const header = [...imports]
    .map(([module, alias]) => `import type { I${module.slice(module.lastIndexOf('/') + 1)} as ${alias} } from '${module}';\n`)
    .join('');
  writeFileSync(file, header + body);
  try {
    const program = ts.createProgram([file], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      types: [],
    });
    const source = program.getSourceFile(file) as ts.SourceFile;
    return ts.getPreEmitDiagnostics(program, source).map((diagnostic) => {
      const at = (diagnostic.start ?? 0) - header.length;
      const span = spans.find((candidate) => at >= candidate.start && at < candidate.end);
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
      return {
        object: span ? describe(span.object) : '(schema check)',
        path: span ? pathAt(source, diagnostic.start ?? 0) : '',
        message: span ? message : `${message} (in the generated check file)`,
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The JSON path of the property or array element at a position of the generated file. */
function pathAt(source: ts.SourceFile, position: number): string {
  let node: ts.Node = source;
  for (;;) {
    const child: ts.Node | undefined = node
      .getChildren(source)
      .find((candidate) => candidate.getStart(source) <= position && position < candidate.getEnd());
    if (!child) break;
    node = child;
  }
  const parts: string[] = [];
  for (let current: ts.Node | undefined = node; current; current = current.parent) {
    const parent: ts.Node | undefined = current.parent;
    if (ts.isPropertyAssignment(current)) parts.unshift(current.name.getText(source).replace(/^"|"$/g, ''));
    else if (parent && ts.isArrayLiteralExpression(parent)) parts.unshift(String(parent.elements.indexOf(current as ts.Expression)));
    if (ts.isVariableStatement(current)) break;
  }
  return `/${parts.join('/')}`;
}
