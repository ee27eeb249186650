// The pure scheduler: which tasks may start now, in what order, without conflicts.
export { ready, nothingCanProgress, progressOf } from './ready.js';
export { criticalPathWeights, taskWeight } from './criticalPath.js';
export { scopesOverlap, segmentPatternsIntersect } from './scopeOverlap.js';
