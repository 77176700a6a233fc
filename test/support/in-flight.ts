// The in-flight tracker lives in src/sim beside the time driver that waits on it.
export { createInFlight, type InFlight, trackStore } from '../../src/sim/in-flight.js';
