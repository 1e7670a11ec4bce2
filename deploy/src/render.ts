import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { Manifest } from './manifest';

const run = promisify(execFile);

/** The repository's deploy/k8s folder. */
export const K8S_ROOT = resolve(__dirname, '..', 'k8s');

export class RenderError extends Error {
  override readonly name = 'RenderError';
}

interface Renderer {
  readonly command: string;
  readonly args: (dir: string) => string[];
}

let renderer: Promise<Renderer> | undefined;

/** kubectl's built-in kustomize, else a standalone kustomize; never a silent skip. */
export function findRenderer(): Promise<Renderer> {
  renderer ??= (async () => {
    const candidates: Renderer[] = [
      { command: 'kubectl', args: (dir) => ['kustomize', dir] },
      { command: 'kustomize', args: (dir) => ['build', dir] },
    ];
    for (const candidate of candidates) {
      const probe = candidate.command === 'kubectl' ? ['version', '--client'] : ['version'];
      if (
        await run(candidate.command, probe).then(
          () => true,
          () => false,
        )
      )
        return candidate;
    }
    throw new RenderError(
      'Rendering the manifests needs kubectl (with its built-in kustomize) or kustomize on PATH, and neither is there.\n' +
        'Install one: https://kubernetes.io/docs/tasks/tools/ (kubectl), or `apt-get install kubectl` from the ' +
        'Kubernetes apt repository, or https://kubectl.docs.kubernetes.io/installation/kustomize/ (kustomize).',
    );
  })();
  return renderer;
}

/** Renders a kustomization directory into its objects. */
export async function renderDirectory(dir: string): Promise<Manifest[]> {
  const { command, args } = await findRenderer();
  const { stdout } = await run(command, args(dir), { maxBuffer: 64 * 1024 * 1024 }).catch((error: Error & { stderr?: string }) => {
    throw new RenderError(`${command} could not render ${relative(K8S_ROOT, dir) || dir}:\n${error.stderr ?? error.message}`);
  });
  return parseManifests(stdout);
}

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length) throw new RenderError(document.errors.map((error) => error.message).join('\n'));
      return document.toJS() as Manifest | null;
    })
    .filter((object): object is Manifest => object !== null);
}

/** An overlay with extra components switched on, as a deployer would combine them. */
export interface Combination {
  readonly name: string;
  /** Folder under deploy/k8s (or, for what gitops/ deploys, a path relative to it). */
  readonly overlay: string;
  /** Folders under deploy/k8s, added on top of the overlay. */
  readonly components?: readonly string[];
}

/**
 * Renders a combination. Extra components need a kustomization of their own, written into a
 * scratch folder inside deploy/k8s because kustomize only follows relative paths.
 */
export async function renderCombination(combination: Combination): Promise<Manifest[]> {
  if (!combination.components?.length) return renderDirectory(join(K8S_ROOT, combination.overlay));
  const dir = await mkdtemp(join(K8S_ROOT, '.combination-'));
  try {
    const up = (path: string) => `../${path}`;
    await writeFile(
      join(dir, 'kustomization.yaml'),
      [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        `resources: [${up(combination.overlay)}]`,
        `components: [${combination.components.map(up).join(', ')}]`,
        '',
      ].join('\n'),
    );
    return await renderDirectory(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
