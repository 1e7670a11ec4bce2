export { EXPERIMENTS, QUICK_EXPERIMENTS, type ChaosContext, type Experiment } from './experiments';
export { FaultProxy, type ProxyFault } from './fault-proxy';
export { runChaos, type ChaosOptions, type ChaosReport, type ExperimentResult } from './runner';
export { Traffic, type TrafficOptions, type TrafficStats } from './traffic';
export { formatChaosReport } from './format';
