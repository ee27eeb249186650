import type { Linter } from 'eslint';
export declare const machinesBoundary: Linter.Config;
declare const config: Linter.Config[];
export default config;
