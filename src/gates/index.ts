// Gates: the verification gate (commands as evidence) and the built-in reviewer (rules over what changed).
export { runVerification, verificationVerdict, commandVerdict, commandFinding } from './verification.js';
export type { VerificationRequest } from './verification.js';
export { runCommand, allowlistedEnv, DEFAULT_TAIL_BYTES } from './runCommand.js';
export type { RunCommandOptions } from './runCommand.js';
export { builtinReview, ALWAYS_PROTECTED, LOCKFILE_NAMES, REVIEW_RULES } from './builtinReviewer.js';
export type { BuiltinReviewInput, ReviewRule } from './builtinReviewer.js';
export { verificationDefinitions, fileNamedBy, DEFAULT_VERIFICATION_DEFINITIONS } from './verificationDefinitions.js';
export { matchGlob, firstMatch, pathSegments } from './glob.js';
export type { UnmodelledSyntax } from './glob.js';
export { OutputTail, cleanText } from './outputTail.js';
export { runSetup, setupEvidenceRefs, setupFailureMessage, setupFailureDetails, setupBlockedGate, REPO_ROOT_VARIABLE } from './setup.js';
export type { SetupRequest, SetupResult } from './setup.js';
export { approvalsFor, asksAboutDependencies } from './approvalGates.js';
export type { ChangeFacts } from './approvalGates.js';
export { addedDependencies, manifestKind } from './addedDependencies.js';
