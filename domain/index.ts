/** The pure trading core: no I/O, decimal strings and epoch ms in and out. */
export * from './types';
export * from './money';
export * from './unlock-playbook';
export * from './playbook';
export * from './ladder';
export * from './sizing';
export * from './risk';
export * from './gate';
export * from './fills';
export * from './pnl';
export * from './metrics';
export * from './sessions';
