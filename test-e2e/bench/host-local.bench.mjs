// host-local alone, ours vs the reference Go plugin: ADD and DEL cost with 0, 1000 and 5000
// addresses already reserved in the network (files written beforehand, as a busy node has).
// Each contender has its own data dir; calls are interleaved so machine noise hits both alike.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST_BIN, REFERENCE_BIN, execPlugin, interleave, report } from './lib.mjs';

const ROUNDS = 40;
const POPULATIONS = [0, 1000, 5000];
const NET = 'hlbench';

/** The i-th address of 10.90.0.0/16 after the gateway (.0.1): 10.90.0.2, 10.90.0.3, ... */
const address = (i) => `10.90.${(i + 2) >> 8}.${(i + 2) & 255}`;

function populate(dataDir, count) {
  const dir = join(dataDir, NET);
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) writeFileSync(join(dir, address(i)), `pre${i}\r\neth0`);
  // Start allocating after the existing reservations, as round-robin would on a busy node.
  if (count > 0) writeFileSync(join(dir, 'last_reserved_ip.0'), address(count - 1));
}

export default async function bench() {
  const root = mkdtempSync(join(tmpdir(), 'host-local-bench-'));
  const binaries = { ours: join(DIST_BIN, 'host-local'), reference: join(REFERENCE_BIN, 'host-local') };
  try {
    // Every (binary, population) pair is one contender, all interleaved in the same rounds, so
    // that a burst of machine load cannot favour one population over another.
    const adds = {};
    const dels = {};
    for (const count of POPULATIONS) {
      for (const [who, binary] of Object.entries(binaries)) {
        const dataDir = join(root, `${who}-${count}`);
        populate(dataDir, count);
        const config = { cniVersion: '1.0.0', name: NET, type: 'host-local', ipam: { type: 'host-local', dataDir, ranges: [[{ subnet: '10.90.0.0/16' }]] } };
        const env = (command, round) => ({ CNI_COMMAND: command, CNI_CONTAINERID: `bench${round}`, CNI_NETNS: '/run/netns/none', CNI_IFNAME: 'eth0', CNI_PATH: DIST_BIN });
        const add = (r) => execPlugin(binary, env('ADD', r), config);
        const del = (r) => execPlugin(binary, env('DEL', r), config);
        // One warm-up pair: our first call after files appeared behind its back builds its index.
        add('warm');
        del('warm');
        adds[`${who} ${count}`] = add;
        dels[`${who} ${count}`] = del;
      }
    }
    const addSamples = await interleave(ROUNDS, adds);
    const delSamples = await interleave(ROUNDS, dels);
    const rows = POPULATIONS.flatMap((count) => [
      { what: `ADD, ${count} reserved`, ours: addSamples[`ours ${count}`], reference: addSamples[`reference ${count}`] },
      { what: `DEL, ${count} reserved`, ours: delSamples[`ours ${count}`], reference: delSamples[`reference ${count}`] },
    ]);
    report(`host-local ADD/DEL vs existing reservations (${ROUNDS} rounds each)`, rows);
    const first = POPULATIONS[0];
    const last = POPULATIONS[POPULATIONS.length - 1];
    report(`host-local growth: cost at ${last} reservations against cost at ${first} (ratio = growth; the reference column is the same program at ${first})`, [
      { what: `ours ADD, ${last} vs ${first}`, ours: addSamples[`ours ${last}`], reference: addSamples[`ours ${first}`], targets: [{ goal: `host-local ADD at ${last} vs at ${first} (ours)`, on: 'wall', max: 1.5 }] },
      { what: `ours DEL, ${last} vs ${first}`, ours: delSamples[`ours ${last}`], reference: delSamples[`ours ${first}`] },
      { what: `reference ADD, ${last} vs ${first}`, ours: addSamples[`reference ${last}`], reference: addSamples[`reference ${first}`] },
      { what: `reference DEL, ${last} vs ${first}`, ours: delSamples[`reference ${last}`], reference: delSamples[`reference ${first}`] },
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
