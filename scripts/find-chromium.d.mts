export interface FoundChromium {
  path: string;
  source: string;
  /** The `--version` line, when found with { verify: true }. */
  version?: string;
}
export declare const CHROMIUM_ARGS: string[];
export declare const INSTALL_HINT: string;
export declare function chromiumCandidates(env?: Record<string, string | undefined>): FoundChromium[];
export declare function chromiumVersion(file: string): string | null;
export declare function findChromium(
  env?: Record<string, string | undefined>,
  options?: { verify?: boolean },
): FoundChromium | { path: null; problem: string };
export declare function mayInstallChromium(env?: Record<string, string | undefined>): boolean;
export declare function installChromium(env?: Record<string, string | undefined>): boolean;
