import { describe, expect, it } from 'vitest';
import { canonicalImage, imagesInText, imagesInYaml, isDeclared, registryOf } from './lab-images.js';

describe('canonicalImage', () => {
  it('fills in Docker Hub, library/ and :latest as containerd does', () => {
    expect(canonicalImage('nginx:1.27')).toBe('docker.io/library/nginx:1.27');
    expect(canonicalImage('nginx')).toBe('docker.io/library/nginx:latest');
    expect(canonicalImage('falcosecurity/falco:0.41.3')).toBe('docker.io/falcosecurity/falco:0.41.3');
    expect(canonicalImage('docker.io/falcosecurity/falco:0.41.3')).toBe('docker.io/falcosecurity/falco:0.41.3');
    expect(canonicalImage('registry.k8s.io/pause:3.10')).toBe('registry.k8s.io/pause:3.10');
    expect(canonicalImage('localhost:5000/app')).toBe('localhost:5000/app:latest');
    expect(canonicalImage(`busybox@sha256:${'a'.repeat(64)}`)).toBe(
      `docker.io/library/busybox@sha256:${'a'.repeat(64)}`,
    );
  });

  it('compares declarations by canonical name and knows the registry to ask', () => {
    expect(isDeclared('docker.io/library/nginx:1.27', ['nginx:1.27'])).toBe(true);
    expect(isDeclared('nginx:1.28', ['nginx:1.27'])).toBe(false);
    expect(registryOf('nginx:1.27')).toBe('registry-1.docker.io');
    expect(registryOf('registry.k8s.io/pause:3.10')).toBe('registry.k8s.io');
  });
});

describe('images in lab files', () => {
  it('finds images in YAML lines, heredocs and --image flags, with their line numbers', () => {
    const text = [
      'kubectl apply -f - <<EOF',
      '    - name: web',
      '      image: "nginx:1.27"   # the stand-in offline',
      'EOF',
      'kubectl run x --image=busybox:1.36 --restart=Never',
      'kubectl debug p --image busybox:1.36',
      '  image: $IMAGE',
      'output: image=%container.image.repository',
    ].join('\n');
    expect(imagesInText(text, 'solution/01.sh')).toEqual([
      { image: 'nginx:1.27', file: 'solution/01.sh', line: 3 },
      { image: 'busybox:1.36', file: 'solution/01.sh', line: 5 },
      { image: 'busybox:1.36', file: 'solution/01.sh', line: 6 },
    ]);
  });

  it('finds every image field in every YAML document, init and ephemeral containers too', () => {
    const yaml = [
      'kind: Pod',
      'spec:',
      '  initContainers: [{name: i, image: busybox:1.36}]',
      '  containers: [{name: c, image: nginx:1.27}]',
      '---',
      'kind: DaemonSet',
      'spec: {template: {spec: {containers: [{name: f, image: falcosecurity/falco:0.41.3}]}}}',
    ].join('\n');
    expect(imagesInYaml(yaml, 'm.yaml').map((u) => u.image)).toEqual([
      'busybox:1.36',
      'nginx:1.27',
      'falcosecurity/falco:0.41.3',
    ]);
  });
});
