import type { SandboxMode } from './port.js';

/** The config's sandbox policy tightened by the packet's (a packet never loosens it). Pure. */
export function effectiveSandboxPolicy(
  config: { readonly mode: SandboxMode; readonly network: boolean },
  packet: { readonly required?: true | undefined; readonly network?: false | undefined } | undefined,
): { readonly mode: SandboxMode; readonly network: boolean } {
  return { mode: packet?.required === true ? 'required' : config.mode, network: packet?.network === false ? false : config.network };
}
