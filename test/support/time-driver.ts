// The virtual-time driver lives in src/sim (the in-process demo drives its clock with it too).
export { driveClock, drivenIdle, driveUntil, isManualClock, stepTime } from '../../src/sim/time-driver.js';
