/** The daemon's launch config is part of the CLI-daemon contract; it lives with the other messages. */
export type { DaemonConfig } from '../protocol/messages.js';
