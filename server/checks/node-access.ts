// Commands and files on cluster nodes, through the provider's nodeCommand
// (docker exec for kind) with argv arrays and a deadline. Used by the real
// view and by test doubles that run "nodes" as local shells.
import { execa } from 'execa';
import type { ClusterProvider } from '../cluster/provider.js';
import type { ClusterNode } from '../protocol.js';
import { DEFAULT_CALL_TIMEOUT_MS, type CallOptions, type ExecResult } from './cluster-view.js';
import { CallTimeoutError } from './cluster-unreachable.js';
import { withDeadline } from './deadline.js';

export class NodeAccess {
  constructor(
    private readonly provider: ClusterProvider,
    private readonly defaultTimeoutMs = DEFAULT_CALL_TIMEOUT_MS,
  ) {}

  async execOnNode(node: string, argv: string[], options?: CallOptions): Promise<ExecResult> {
    const timeoutMs = options?.timeoutMs ?? this.defaultTimeoutMs;
    const command = this.provider.nodeCommand(node, argv);
    const result = await execa(command.file, command.args, {
      ...(command.env ? { env: command.env } : {}),
      ...(command.cwd ? { cwd: command.cwd } : {}),
      reject: false,
      stdin: 'ignore',
      timeout: timeoutMs,
      stripFinalNewline: false,
    });
    if (result.timedOut) throw new CallTimeoutError(`${JSON.stringify(argv)} on node ${node}`, timeoutMs);
    if (result.exitCode === undefined) {
      return { exitCode: null, stdout: '', stderr: String(result.stderr ?? ''), failure: result.shortMessage };
    }
    return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
  }

  async readNodeFile(node: string, path: string, options?: CallOptions): Promise<string | undefined> {
    const result = await this.execOnNode(node, ['cat', '--', path], options);
    if (result.exitCode === 0) return result.stdout;
    if (/No such file or directory/.test(result.stderr)) return undefined;
    throw new Error(`Cannot read ${path} on node ${node}: ${result.failure ?? result.stderr.trim()}`);
  }

  async nodes(options?: CallOptions): Promise<ClusterNode[]> {
    return withDeadline(this.provider.nodes(), options?.timeoutMs ?? this.defaultTimeoutMs, 'list cluster nodes');
  }
}
