import { describe, expect, it } from 'vitest';
import { containerdConfig, containerdPaths } from './config.ts';
import { PAUSE_IMAGE } from './images.ts';

describe('containerd config', () => {
  const text = containerdConfig(containerdPaths('/tmp/x/containerd'));

  it('keeps root, state, sockets and CNI dirs under the private dir', () => {
    expect(text).toContain('root = "/tmp/x/containerd/root"');
    expect(text).toContain('state = "/tmp/x/containerd/state"');
    expect(text).toContain('address = "/tmp/x/containerd/containerd.sock"');
    expect(text).toContain('address = "/tmp/x/containerd/containerd.sock.ttrpc"');
    expect(text).toMatch(/\[plugins\."io\.containerd\.grpc\.v1\.cri"\.cni\]\n {2}bin_dir = "\/tmp\/x\/containerd\/cni-bin"\n {2}conf_dir = "\/tmp\/x\/containerd\/net\.d"/);
  });

  it('runs sandboxes from the local pause image, netns under state, OOM score restricted', () => {
    expect(text).toContain(`sandbox_image = "${PAUSE_IMAGE}"`);
    expect(text).toContain('netns_mounts_under_state_dir = true');
    expect(text).toContain('restrict_oom_score_adj = true');
  });
});
