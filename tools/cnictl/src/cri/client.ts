/// <reference path="./proto-text.d.ts" />
import * as grpc from '@grpc/grpc-js';
import { fromJSON } from '@grpc/proto-loader';
import protobuf from 'protobufjs';
import criProto from './cri.proto' with { type: 'text' };
import type { ContainerConfig, ExecResult, PodSandbox, PodSandboxConfig, PodSandboxStatus, RuntimeVersion } from './types.ts';

export type * from './types.ts';

type Call = (request: object, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, reply: unknown) => void) => void;
type Service = grpc.Client & Record<string, Call>;

/** How long one call may take before it fails (a sandbox start runs the whole CNI chain). */
const DEFAULT_DEADLINE_MS = 60_000;

let services: { runtime: grpc.ServiceClientConstructor; image: grpc.ServiceClientConstructor } | undefined;

/** cri.proto, parsed once: the service constructors grpc-js builds from it. */
function criServices(): NonNullable<typeof services> {
  if (!services) {
    const { root } = protobuf.parse(criProto, { keepCase: false });
    const definition = fromJSON(root.toJSON(), { enums: String, longs: Number, defaults: true, arrays: true, objects: true });
    const v1 = (grpc.loadPackageDefinition(definition) as unknown as { runtime: { v1: Record<string, grpc.ServiceClientConstructor> } }).runtime.v1;
    services = { runtime: v1.RuntimeService!, image: v1.ImageService! };
  }
  return services;
}

/**
 * A CRI v1 client over the runtime's unix socket (RuntimeService and ImageService), for the
 * calls the kubelet makes to start and end a pod: run, inspect, stop and remove sandboxes,
 * create and start containers in them, run a command in a container.
 */
export class CriClient {
  private readonly runtime: Service;
  private readonly image: Service;

  constructor(readonly socket: string) {
    const { runtime, image } = criServices();
    const target = `unix:${socket}`;
    const credentials = grpc.credentials.createInsecure();
    this.runtime = new runtime(target, credentials) as unknown as Service;
    this.image = new image(target, credentials) as unknown as Service;
  }

  private call<T>(service: Service, method: string, request: object, deadlineMs = DEFAULT_DEADLINE_MS): Promise<T> {
    return new Promise((resolve, reject) => {
      service[method]!.call(service, request, { deadline: Date.now() + deadlineMs }, (err, reply) =>
        err ? reject(new Error(`CRI ${method}: ${err.details || err.message}`)) : resolve(reply as T),
      );
    });
  }

  version(deadlineMs?: number): Promise<RuntimeVersion> {
    return this.call(this.runtime, 'Version', { version: 'v1' }, deadlineMs);
  }

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    return (await this.call<{ podSandboxId: string }>(this.runtime, 'RunPodSandbox', { config })).podSandboxId;
  }

  async stopPodSandbox(id: string): Promise<void> {
    await this.call(this.runtime, 'StopPodSandbox', { podSandboxId: id });
  }

  async removePodSandbox(id: string): Promise<void> {
    await this.call(this.runtime, 'RemovePodSandbox', { podSandboxId: id });
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    return (await this.call<{ status: PodSandboxStatus }>(this.runtime, 'PodSandboxStatus', { podSandboxId: id })).status;
  }

  /** Sandboxes, all or those carrying every given label. */
  async listPodSandbox(labelSelector: Record<string, string> = {}): Promise<PodSandbox[]> {
    return (await this.call<{ items: PodSandbox[] }>(this.runtime, 'ListPodSandbox', { filter: { labelSelector } })).items;
  }

  /** Create a container in a sandbox and start it; returns its ID. */
  async startContainer(podSandboxId: string, sandboxConfig: PodSandboxConfig, config: ContainerConfig): Promise<string> {
    const { containerId } = await this.call<{ containerId: string }>(this.runtime, 'CreateContainer', { podSandboxId, config, sandboxConfig });
    await this.call(this.runtime, 'StartContainer', { containerId });
    return containerId;
  }

  /** Run a command in a running container and wait for it (at most timeoutS seconds). */
  async execSync(containerId: string, cmd: string[], timeoutS = 10): Promise<ExecResult> {
    const r = await this.call<{ stdout: Buffer; stderr: Buffer; exitCode: number }>(
      this.runtime,
      'ExecSync',
      { containerId, cmd, timeout: timeoutS },
      (timeoutS + 10) * 1000,
    );
    return { stdout: r.stdout.toString(), stderr: r.stderr.toString(), exitCode: r.exitCode };
  }

  /** The image's ID when the runtime has it, else undefined. */
  async imageId(image: string): Promise<string | undefined> {
    const r = await this.call<{ image: { id: string } | null }>(this.image, 'ImageStatus', { image: { image } });
    return r.image?.id || undefined;
  }

  close(): void {
    this.runtime.close();
    this.image.close();
  }
}
