import type { Faults } from './faults.js';
import type { SimInstance, SimWorld } from './sim-world.js';

/** What a program the bot's scripts call (docker, salt-call) sees when it starts on a simulated host. */
export interface ProgramContext {
  world: SimWorld;
  instance: SimInstance;
  faults: Faults;
  /** Virtual time at which the program starts. */
  atMs: number;
}

/**
 * A program that takes time: its output is known when it starts (drawn from the world as it is then), but it
 * is written, and `onDone` applied, only at its end, so a cancelled or timed-out run leaves no effect.
 */
export interface ProgramRun {
  durationMs: number;
  stdout: string;
  stderr: string;
  exitCode: number;
  onDone?: () => void;
}
