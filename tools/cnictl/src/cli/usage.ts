import { editDistance } from '@cni-ts/core';

/**
 * Every command's usage, in one place: `cnictl <command> --help`, `cnictl help [command]`, the
 * overview and the bash completion all read it, so no command has to touch the router.
 */
export interface CommandHelp {
  /** The synopsis after "cnictl ". */
  usage: string;
  /** One line: what it does. */
  summary: string;
  /** Option lines, `--name VALUE   meaning`; completion takes the `--name`s from them. */
  options: readonly string[];
  /** Words completion offers for the first argument, when they are fixed. */
  words?: readonly string[];
  example: string;
}

const SOURCES = [
  '--conf-dir DIR          network lists (env NETCONFPATH; default /etc/cni/net.d)',
  '--cni-path DIR[:DIR]    where plugins are found (env CNI_PATH; default /opt/cni/bin)',
  '--cache-dir DIR         libcni result cache (default /var/lib/cni; results in DIR/results)',
];
const PER_CONTAINER = [
  ...SOURCES,
  '--ifname NAME           interface in the container (env CNI_IFNAME; default eth0)',
  '--container-id ID       default: cnitool- + 20 hex of sha512(absolute netns path), as cnitool derives it',
  '--cap-args JSON         capability args, e.g. \'{"portMappings":[...]}\' (env CAP_ARGS)',
  "--args 'K=V;K2=V2'      CNI_ARGS (env CNI_ARGS)",
  '--timings               print how long each plugin process took (stderr)',
];

export const COMMANDS: Readonly<Record<string, CommandHelp>> = {
  add: {
    usage: 'add <network> <netns> [options]',
    summary: "ADD the list's plugins in order and cache the result; prints the result JSON",
    options: PER_CONTAINER,
    example: 'ip netns add pod1 && cnictl add mynet pod1 --cap-args \'{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]}\'',
  },
  check: {
    usage: 'check <network> <netns> [options]',
    summary: 'CHECK every plugin against the cached ADD result (skipped when the list sets disableCheck)',
    options: PER_CONTAINER,
    example: 'cnictl check mynet pod1',
  },
  del: {
    usage: 'del <network> <netns> [options]',
    summary: 'DEL the plugins in reverse order with the cached result; removes the cached result',
    options: PER_CONTAINER,
    example: 'cnictl del mynet pod1',
  },
  gc: {
    usage: 'gc <network> (--valid-attachments JSON | --all-stale) [--dry-run] [options]',
    summary: 'DEL cached attachments that are not valid, then GC each plugin (1.1.0 lists); counts what was released',
    options: [
      ...SOURCES,
      '--valid-attachments JSON  the attachments to keep: \'[{"containerID":"...","ifname":"eth0"}]\'',
      '--all-stale             keep none: every cached attachment of the network is gone',
      '--dry-run               list what would be deleted and released; change nothing',
      '--timings               print how long each plugin process took (stderr)',
    ],
    example: 'cnictl gc mynet --dry-run --valid-attachments \'[{"containerID":"4f1c...","ifname":"eth0"}]\'',
  },
  status: {
    usage: 'status <network> [options]',
    summary: 'STATUS of each plugin, stopping at the first that is not ready (1.1.0 lists)',
    options: [...SOURCES, '--timings               print how long each plugin process took (stderr)'],
    example: 'cnictl status cbr0',
  },
  list: {
    usage: 'list [network] [--json] [options]',
    summary: 'attachments (the result cache) and IP reservations (host-local) side by side',
    options: [...SOURCES, '--json                  one JSON object per network instead of a table'],
    example: 'cnictl list cbr0 --json',
  },
  doctor: {
    usage: 'doctor [--conf-dir D] [--bin-dir D] [--json] [--fix [--dry-run]] [--active] [options]',
    summary: "check this node the way an operator does by hand; each finding with its fix; exit 0/1/2 by the worst",
    options: [
      '--conf-dir DIR          network lists (env NETCONFPATH; default /etc/cni/net.d)',
      '--bin-dir DIR[:DIR]     plugin directories (env CNI_PATH; default /opt/cni/bin); --cni-path is the same',
      '--cache-dir DIR         libcni result cache (default /var/lib/cni)',
      '--data-dir DIR          host-local reservations, when the list names none (default /var/lib/cni/networks)',
      '--subnet-file FILE      flannel subnet.env, when the list names none (default /run/flannel/subnet.env)',
      '--netns PATH            look at the node in this network namespace (a private test node)',
      '--json                  a list of {check, severity, message, fix}',
      '--fix                   apply the fixes proven safe (GC of attachments whose netns is gone)',
      '--dry-run               with --fix: show those fixes, change nothing',
      '--active                throwaway pods through the default network: gateway, pod to pod, hostPort, hairpin, then DEL',
    ],
    example: 'cnictl doctor --json | jq \'.[] | select(.severity != "ok")\'',
  },
  sysdump: {
    usage: 'sysdump [-o FILE] [options]',
    summary: 'one tarball of what a maintainer asks for: conflists, subnet.env, state, rules, links, sysctls, versions',
    options: [
      ...SOURCES,
      '-o, --output FILE       the tarball (default ./cni-sysdump-<host>-<time>.tar.gz)',
      '--data-dir DIR          host-local reservations (default /var/lib/cni/networks)',
      '--subnet-file FILE      flannel subnet.env (default /run/flannel/subnet.env)',
    ],
    example: 'cnictl sysdump -o /tmp/node1.tar.gz',
  },
  install: {
    usage: 'install --dir DIR [--from DIR|TARBALL] [plugin...]',
    summary: 'put the plugin executables in DIR (default: every plugin), never writing into a running one',
    options: [
      '--dir DIR               where to install (usually /opt/cni/bin)',
      '--from DIR|TARBALL      the executables: a dir (default: beside cnictl) or a release tarball,',
      '                        verified against the .sha256/.sha512 beside it and this machine\'s architecture',
    ],
    example: 'cnictl install --dir /opt/cni/bin --from cni-ts-linux-amd64-v0.1.0.tgz',
  },
  validate: {
    usage: 'validate [--conf-dir DIR] [--cni-path DIRS] [--json] [FILE|DIR|net]',
    summary: "check the conf dir as a runtime loads it, with each plugin's own parser; exit 0 clean, 1 warnings, 2 problems",
    options: [
      '--conf-dir DIR          network lists (env NETCONFPATH; default /etc/cni/net.d)',
      '--cni-path DIR[:DIR]    where plugins are found (env CNI_PATH; default /opt/cni/bin)',
      '--json                  the findings as a list of {severity, check, file, message, fix}',
    ],
    example: 'cnictl validate /etc/cni/net.d/10-flannel.conflist',
  },
  demo: {
    usage: 'demo [--cni-path DIRS] [--pods N] [--no-portmap] [--no-lab]',
    summary: 'pods on a bridge in throwaway namespaces, then the multi-node flannel lab (root)',
    options: [
      '--cni-path DIR[:DIR]    plugins to demonstrate (default: beside cnictl; /usr/lib/cni for the reference)',
      '--pods N                pods on the bridge (1-20, default 3)',
      '--no-portmap            leave portmap out of the list',
      '--no-lab                skip the flannel lab',
    ],
    example: 'cnictl demo --pods 2 --no-lab',
  },
  lab: {
    usage: 'lab up|status|down [options]',
    summary: 'a multi-node flannel cluster in network namespaces joined by VXLAN (root)',
    options: [
      '--runtime R             namespace (pods are namespaces, the default) or containerd (CRI sandboxes)',
      '--nodes N               nodes (default 2)',
      '--pods-per-node N|N1,N2 pods on each node',
      '--dual-stack            IPv4 and IPv6 pod networks',
      '--prefix P              namespace name prefix (default ctslab)',
      '--state-dir D           where the lab records what it made',
      '--bin-dir D             the flannel plugin and its delegates',
      '--cni-path P            CNI_PATH the plugins get',
    ],
    words: ['up', 'status', 'down'],
    example: 'cnictl lab up --nodes 3 && cnictl lab status && cnictl lab down',
  },
  completion: {
    usage: 'completion bash',
    summary: 'print the bash completion script',
    options: [],
    words: ['bash'],
    example: 'source <(cnictl completion bash)',
  },
  version: { usage: 'version', summary: 'print the version (also --version)', options: [], example: 'cnictl --version' },
  help: { usage: 'help [command]', summary: 'this overview, or one command\'s usage (also <command> --help)', options: [], example: 'cnictl help gc' },
};

/** One command's help: usage, what it does, its options and an example. */
export function commandHelp(name: string): string {
  const c = COMMANDS[name]!;
  const lines = [`usage: cnictl ${c.usage}`, '', `${c.summary}.`];
  if (c.options.length > 0) lines.push('', 'Options:', ...c.options.map((o) => `  ${o}`));
  lines.push('', 'Example:', `  ${c.example}`);
  return lines.join('\n');
}

/** The overview: every command's synopsis and summary. */
export function overview(): string {
  const rows = Object.values(COMMANDS).map((c) => `  cnictl ${c.usage}\n      ${c.summary}`);
  return [
    'cnictl: run CNI network lists like a container runtime; check, repair and report on a node',
    '',
    'Commands:',
    ...rows,
    '',
    '<network> is the "name" inside a list in the conf dir; <netns> is a path or a name under /run/netns.',
    'Every command takes --help. Exit status: 0 ok, 1 a plugin or the node failed (doctor: warnings), 2 usage,',
    'configuration or (doctor) problems.',
  ].join('\n');
}

/** The `--name`s a command's options list names (for completion and for tests). */
export const optionNames = (name: string): string[] =>
  (COMMANDS[name]?.options ?? []).flatMap((o) => [...o.matchAll(/(?:^|[ ,])(--?[a-z][a-z-]*)/g)].map((m) => m[1]!)).filter((v, i, a) => a.indexOf(v) === i);

/** The closest command or plugin name to a typo, when one is close enough to be meant. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const name of candidates) {
    const d = editDistance(word.toLowerCase(), name.toLowerCase());
    if (!best || d < best.d) best = { name, d };
  }
  return best && best.d > 0 && best.d <= Math.max(1, Math.floor(word.length / 3)) ? best.name : undefined;
}

/** The message for a command that does not exist, with the one most likely meant. */
export function unknownCommand(name: string): string {
  const near = didYouMean(name, Object.keys(COMMANDS));
  return `unknown command "${name}"${near ? `: did you mean "${near}"?` : ''} (see: cnictl help)`;
}
