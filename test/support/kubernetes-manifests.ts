import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";

import { BarmanObjectStoreConfiguration } from "@kubernetes-models/cloudnative-pg/github.com/cloudnative-pg/barman-cloud/pkg/api/BarmanObjectStoreConfiguration";
import { parseAllDocuments } from "yaml";

const run = promisify(execFile);

/** The Kustomize tree (base, migrations, components, overlays). */
export const K8S_DIR = path.resolve("deploy", "k8s");

/** One rendered Kubernetes object, as `kubectl kustomize` printed it. */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  [field: string]: unknown;
}

/**
 * Renders a kustomization under deploy/k8s with the Kustomize built into kubectl (v5 from kubectl 1.27 on; the
 * machines' image ships kubectl, and no npm package renders Kustomize).
 */
export async function renderKustomization(relativeDir: string): Promise<KubernetesObject[]> {
  let stdout: string;
  try {
    ({ stdout } = await run("kubectl", ["kustomize", path.join(K8S_DIR, relativeDir)], {
      maxBuffer: 16 * 1024 * 1024,
    }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(
        "kubectl is missing: the Kubernetes manifests are rendered with `kubectl kustomize` (kubectl >= 1.27)",
        { cause: error },
      );
    }
    throw error;
  }
  return parseAllDocuments(stdout).map((document) => {
    if (document.errors.length > 0) throw document.errors[0];
    return document.toJS() as KubernetesObject;
  });
}

type Model = new (data: unknown) => { validate(): void };

/**
 * The npm package whose JSON schemas describe an API group: kubernetes-models for Kubernetes' own kinds, and its
 * third-party packages for CloudNativePG and the Prometheus Operator.
 */
function modelsModule(apiVersion: string): string {
  if (apiVersion.startsWith("postgresql.cnpg.io/")) return `@kubernetes-models/cloudnative-pg/${apiVersion}`;
  if (apiVersion.startsWith("monitoring.coreos.com/")) return `@kubernetes-models/prometheus-operator/${apiVersion}`;
  return `kubernetes-models/${apiVersion}`;
}

/**
 * Validates `object` against its kind's published JSON schema (types, required fields, enums, formats; like
 * kubeconform without `-strict`, fields the schema does not know are not refused). The Barman Cloud plugin's
 * ObjectStore has no package of its own: its `configuration` is the barman-cloud API type that the CloudNativePG
 * models ship, validated with that schema. Throws for a kind no package describes.
 */
export async function validateKubernetesObject(object: KubernetesObject): Promise<void> {
  if (object.apiVersion === "barmancloud.cnpg.io/v1" && object.kind === "ObjectStore") {
    new BarmanObjectStoreConfiguration(object.spec?.configuration as never).validate();
    return;
  }
  let models: Record<string, unknown>;
  try {
    models = (await import(modelsModule(object.apiVersion))) as Record<string, unknown>;
  } catch {
    throw new Error(`no schema package for ${object.apiVersion} (${object.kind} ${object.metadata.name})`);
  }
  const model = models[object.kind];
  if (typeof model !== "function") {
    throw new Error(`no schema for ${object.kind} in ${object.apiVersion} (${object.metadata.name})`);
  }
  new (model as Model)(object).validate();
}
