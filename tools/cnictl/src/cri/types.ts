/**
 * The CRI v1 messages of cri.proto as this client sends and receives them: proto-loader's
 * camelCase field names, enums as their names, int64 as numbers, bytes as Buffers.
 */
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface PortMapping {
  protocol?: Protocol;
  containerPort: number;
  hostPort: number;
  hostIp?: string;
}

export interface PodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt?: number;
}

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname?: string;
  logDirectory?: string;
  portMappings?: PortMapping[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  linux?: {
    cgroupParent?: string;
    securityContext?: { namespaceOptions?: { network?: 'POD' | 'NODE'; pid?: 'POD' | 'CONTAINER' | 'NODE'; ipc?: 'POD' | 'NODE' } };
  };
}

export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata;
  state: 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
  network: { ip: string; additionalIps: { ip: string }[] } | null;
  labels: Record<string, string>;
}

export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata;
  state: 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
  labels: Record<string, string>;
}

export interface ContainerConfig {
  metadata: { name: string; attempt?: number };
  image: { image: string };
  command?: string[];
  args?: string[];
  logPath?: string;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RuntimeVersion {
  version: string;
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}
