/**
 * Node faults on a deployment faultline does not run: the deployment file may give, per node, a
 * shell command for kill, start, pause, resume and promote (e.g. an ssh or kubectl line). They run
 * here, with FAULTLINE_NODE set to the node's name; a fault whose command is missing is refused
 * before the run starts (see external-backend.ts), so a hook is never looked for mid-run.
 */
import { execFile } from "node:child_process";
import type { NodeHooks } from "./deployment-file.ts";

const HOOK_TIMEOUT_MS = 120_000;

export function runHook(hooks: NodeHooks, action: keyof NodeHooks, node: string): Promise<void> {
  const command = hooks[action];
  if (!command) return Promise.reject(new Error(`the deployment gives no '${action}' hook for node ${node}`));
  return new Promise((resolve, reject) => {
    execFile(
      "sh",
      ["-c", command],
      { env: { ...process.env, FAULTLINE_NODE: node }, timeout: HOOK_TIMEOUT_MS },
      (err, _stdout, stderr) => {
        if (!err) return resolve();
        reject(
          new Error(`${action} hook for ${node} failed: ${err.message}${stderr ? `: ${stderr.trim()}` : ""}`),
        );
      },
    );
  });
}

/** The hooks each fault kind needs on the node it acts on. */
export const HOOKS_FOR_FAULT: Record<string, (keyof NodeHooks)[]> = {
  kill: ["kill", "start"],
  pause: ["pause", "resume"],
  failover: ["promote"],
};
