import { expect } from "chai";

import { renderKustomization, validateKubernetesObject } from "../support/kubernetes-manifests.js";
import type { KubernetesObject } from "../support/kubernetes-manifests.js";

interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
  };
}
interface PodSpec {
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
  initContainers?: Container[];
}
interface Workload extends KubernetesObject {
  spec: {
    replicas?: number;
    selector?: { matchLabels: Record<string, string> };
    template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
  };
}
interface LabelSelector {
  matchLabels?: Record<string, string>;
}

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "Job"]);

// Secrets the manifests reference but do not make: the operators create the first three (README, "Kubernetes"),
// CloudNativePG makes postgres-app for the database it bootstraps.
const EXTERNAL_SECRETS = ["api-secrets", "indexer-secrets", "postgres-app", "postgres-backup-credentials"];

for (const overlay of ["production", "staging"]) {
  describe(`Kubernetes manifests: overlays/${overlay}`, () => {
    let app: KubernetesObject[];
    let migrations: KubernetesObject[];

    before(async () => {
      [app, migrations] = await Promise.all([
        renderKustomization(`overlays/${overlay}`),
        renderKustomization(`overlays/${overlay}/migrations`),
      ]);
    });

    const find = (objects: KubernetesObject[], kind: string, name: string) => {
      const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
      if (found === undefined) throw new Error(`no ${kind} ${name} in overlays/${overlay}`);
      return found;
    };
    const workload = (kind: string, name: string) => find(app, kind, name) as Workload;
    const container = (kind: string, name: string) => workload(kind, name).spec.template.spec.containers[0];
    const workloads = () => [...app, ...migrations].filter((object) => WORKLOAD_KINDS.has(object.kind)) as Workload[];
    /** The container port a probe reaches, its named port resolved. */
    const probePort = (target: Container, probe: Probe | undefined) => {
      const port = probe?.httpGet?.port;
      return typeof port === "number"
        ? port
        : target.ports?.find((candidate) => candidate.name === port)?.containerPort;
    };
    const selects = (selector: LabelSelector | undefined, labels: Record<string, string>) =>
      Object.entries(selector?.matchLabels ?? {}).every(([key, value]) => labels[key] === value);

    it("renders objects that all pass the Kubernetes, CloudNativePG and Prometheus Operator schemas", async () => {
      const objects = [...app, ...migrations];
      expect(objects.length).to.be.greaterThan(20);
      for (const object of objects) {
        try {
          await validateKubernetesObject(object);
        } catch (error) {
          throw new Error(`${object.kind} ${object.metadata.name}: ${(error as Error).message}`, { cause: error });
        }
      }
    });

    it("puts every object in the overlay's namespace", () => {
      const namespace = find(app, "Namespace", overlay === "production" ? "agridao" : "agridao-staging").metadata.name;
      for (const object of [...app, ...migrations].filter((candidate) => candidate.kind !== "Namespace")) {
        expect(object.metadata.namespace, `${object.kind} ${object.metadata.name}`).to.equal(namespace);
      }
    });

    it("runs three API replicas, ready on /ready and alive on /health on the API's port, with a disruption budget and an autoscaler", () => {
      const api = workload("Deployment", "api");
      const target = container("Deployment", "api");
      expect(api.spec.replicas).to.equal(3);
      expect(target.command, "the image's default command, the API").to.equal(undefined);
      expect(target.readinessProbe?.httpGet?.path).to.equal("/ready");
      expect(target.livenessProbe?.httpGet?.path).to.equal("/health");
      // API_PORT is the image's default unless the config says otherwise.
      const config = find(app, "ConfigMap", target.envFrom![0].configMapRef!.name) as unknown as {
        data: Record<string, string>;
      };
      const apiPort = Number(config.data.API_PORT ?? 4000);
      expect(probePort(target, target.readinessProbe)).to.equal(apiPort);
      expect(probePort(target, target.livenessProbe)).to.equal(apiPort);

      const budget = app.find(
        (object) =>
          object.kind === "PodDisruptionBudget" &&
          selects(object.spec?.selector as LabelSelector, api.spec.template.metadata.labels),
      );
      expect(budget?.spec?.maxUnavailable, "one API pod at a time may be evicted").to.equal(1);
      const autoscaler = app.find((object) => object.kind === "HorizontalPodAutoscaler");
      expect(autoscaler?.spec?.scaleTargetRef).to.deep.include({ kind: "Deployment", name: "api" });
      expect(autoscaler?.spec?.minReplicas).to.be.at.least(3);
      expect(autoscaler?.spec?.maxReplicas).to.be.greaterThan(autoscaler?.spec?.minReplicas as number);
    });

    it("runs two indexers (one writer, one standby) probed on the indexer's HTTP port, with a disruption budget", () => {
      const indexer = workload("Deployment", "indexer");
      const target = container("Deployment", "indexer");
      expect(indexer.spec.replicas).to.equal(2);
      expect(target.command).to.deep.equal(["node", "indexer/dist/main.js"]);
      const config = find(app, "ConfigMap", target.envFrom![0].configMapRef!.name) as unknown as {
        data: Record<string, string>;
      };
      const indexerPort = Number(config.data.INDEXER_HTTP_PORT ?? 42069);
      for (const probe of [target.startupProbe, target.livenessProbe, target.readinessProbe]) {
        // /health, not /ready: a standby's /ready stays 503 while it waits for the lock (see base/indexer.yaml).
        expect(probe?.httpGet?.path).to.equal("/health");
        expect(probePort(target, probe)).to.equal(indexerPort);
      }
      const budget = app.find(
        (object) =>
          object.kind === "PodDisruptionBudget" &&
          selects(object.spec?.selector as LabelSelector, indexer.spec.template.metadata.labels),
      );
      expect(budget?.spec?.maxUnavailable).to.equal(1);
    });

    it("runs every container as non-root on a read-only root filesystem, without privileges, with requests and limits", () => {
      for (const { kind, metadata, spec } of workloads()) {
        const pod = spec.template.spec;
        for (const target of [...pod.containers, ...(pod.initContainers ?? [])]) {
          const where = `${kind} ${metadata.name}, container ${target.name}`;
          const nonRoot = target.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
          const user = target.securityContext?.runAsUser ?? pod.securityContext?.runAsUser;
          expect(nonRoot, where).to.equal(true);
          expect(user, where).to.be.a("number").and.not.equal(0);
          expect(target.securityContext?.readOnlyRootFilesystem, where).to.equal(true);
          expect(target.securityContext?.allowPrivilegeEscalation, where).to.equal(false);
          expect(target.securityContext?.capabilities?.drop, where).to.deep.equal(["ALL"]);
          for (const bound of ["requests", "limits"] as const) {
            expect(target.resources?.[bound], `${where}: ${bound}`).to.have.keys("cpu", "memory");
          }
        }
      }
      const postgres = find(app, "Cluster", "postgres");
      expect(postgres.spec?.resources).to.have.keys("requests", "limits");
    });

    it("closes every pod to traffic no NetworkPolicy allows, and limits the marketplace's pods' outgoing traffic", () => {
      const policies = app.filter((object) => object.kind === "NetworkPolicy");
      const denyAll = policies.find(
        (policy) =>
          Object.keys((policy.spec?.podSelector as LabelSelector).matchLabels ?? {}).length === 0 &&
          (policy.spec?.policyTypes as string[]).includes("Ingress") &&
          policy.spec?.ingress === undefined,
      );
      expect(denyAll, "a default-deny ingress policy").to.not.equal(undefined);
      for (const { kind, metadata, spec } of workloads()) {
        const labels = spec.template.metadata.labels;
        const types = policies
          .filter((policy) => selects(policy.spec?.podSelector as LabelSelector, labels) && policy !== denyAll)
          .flatMap((policy) => policy.spec?.policyTypes as string[]);
        expect(types, `${kind} ${metadata.name}`).to.include.members(["Ingress", "Egress"]);
      }
      const postgresPolicy = policies.find((policy) =>
        selects(policy.spec?.podSelector as LabelSelector, { "cnpg.io/cluster": "postgres" }),
      );
      expect(postgresPolicy?.spec?.policyTypes).to.include("Ingress");
    });

    it("runs PostgreSQL as a CloudNativePG cluster of three instances with its read-only service and nightly backups", () => {
      const cluster = find(app, "Cluster", "postgres").spec as {
        instances: number;
        managed?: { services?: { disabledDefaultServices?: string[] } };
        plugins: { name: string; isWALArchiver?: boolean; parameters: { barmanObjectName: string } }[];
      };
      expect(cluster.instances).to.equal(3);
      expect(cluster.managed?.services?.disabledDefaultServices ?? []).to.not.include("ro");
      const archiver = cluster.plugins.find((plugin) => plugin.isWALArchiver === true);
      expect(archiver?.name).to.equal("barman-cloud.cloudnative-pg.io");
      const store = find(app, "ObjectStore", archiver!.parameters.barmanObjectName);
      expect(store.spec?.retentionPolicy).to.match(/^[1-9][0-9]*[dwm]$/);
      const backup = app.find((object) => object.kind === "ScheduledBackup");
      expect(backup?.spec).to.deep.include({
        cluster: { name: "postgres" },
        method: "plugin",
        pluginConfiguration: { name: archiver!.name },
      });
      // CloudNativePG's schedules have six fields, seconds first.
      expect((backup?.spec?.schedule as string).split(" ")).to.have.lengthOf(6);
    });

    it("runs Redis with a volume of its own, reachable through a Service", () => {
      const redis = workload("StatefulSet", "redis");
      expect(container("StatefulSet", "redis").readinessProbe).to.not.equal(undefined);
      expect((redis.spec as { volumeClaimTemplates?: unknown[] }).volumeClaimTemplates).to.have.lengthOf(1);
      const service = find(app, "Service", "redis");
      expect(selects(service.spec?.selector as LabelSelector, redis.spec.template.metadata.labels)).to.equal(true);
    });

    it("serves one host over TLS: /api to the API, everything else to the web app", () => {
      const ingress = app.find((object) => object.kind === "Ingress")!;
      const spec = ingress.spec as {
        tls: { hosts: string[]; secretName: string }[];
        rules: {
          host: string;
          http: { paths: { path: string; backend: { service: { name: string; port: { name: string } } } }[] };
        }[];
      };
      expect(spec.tls[0].hosts).to.deep.equal([spec.rules[0].host]);
      expect(spec.tls[0].secretName).to.be.a("string");
      const routes = Object.fromEntries(spec.rules[0].http.paths.map((route) => [route.path, route.backend.service]));
      expect(routes["/api"].name).to.equal("api");
      expect(routes["/"].name).to.equal("web");
      for (const backend of Object.values(routes)) {
        const service = find(app, "Service", backend.name);
        expect((service.spec?.ports as { name: string }[]).map((port) => port.name)).to.include(backend.port.name);
      }
    });

    it("refers only to ConfigMaps it makes and to the Secrets the README tells operators to create", () => {
      const made = new Set(app.filter((object) => object.kind === "ConfigMap").map((object) => object.metadata.name));
      const secrets = new Set<string>();
      for (const { metadata, spec } of workloads()) {
        for (const target of spec.template.spec.containers) {
          for (const source of target.envFrom ?? []) {
            if (source.configMapRef) expect(made, metadata.name).to.include(source.configMapRef.name);
            if (source.secretRef) secrets.add(source.secretRef.name);
          }
          for (const variable of target.env ?? []) {
            if (variable.valueFrom?.secretKeyRef) secrets.add(variable.valueFrom.secretKeyRef.name);
          }
        }
      }
      const store = app.find((object) => object.kind === "ObjectStore")!.spec as {
        configuration: { s3Credentials: { accessKeyId: { name: string } } };
      };
      secrets.add(store.configuration.s3Credentials.accessKeyId.name);
      expect([...secrets].sort()).to.deep.equal(EXTERNAL_SECRETS);
    });

    it("migrates apart from the rollout, with the release's own image and settings", () => {
      expect(
        app.filter((object) => object.kind === "Job"),
        "the overlay itself holds no Job",
      ).to.have.lengthOf(0);
      const jobs = migrations.filter((object) => object.kind === "Job") as Workload[];
      expect(jobs).to.have.lengthOf(1);
      const migrate = jobs[0].spec.template.spec.containers[0];
      const api = container("Deployment", "api");
      expect(migrate.command).to.deep.equal(["node", "api/dist/migrate.js"]);
      expect(migrate.image).to.equal(api.image);
      expect(migrate.envFrom).to.deep.equal(api.envFrom);
      expect(migrate.env).to.deep.equal(api.env);
      // The same settings under the same (content-hashed) name: applying the Job first creates what the API reads.
      const config = migrate.envFrom![0].configMapRef!.name;
      expect(find(migrations, "ConfigMap", config)).to.deep.equal(find(app, "ConfigMap", config));
    });
  });
}
