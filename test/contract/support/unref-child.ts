// Arms a timer an hour ahead, then lets the event loop run dry: the process must exit on its own.
import { SystemClock } from '../../../lambda/adapters/embedded/clock';
import { InProcessTimers } from '../../../lambda/adapters/embedded/in-process-timers';
import { deletionTimer } from '../../../lambda/core/timers/timer';

const timers = new InProcessTimers(new SystemClock(), async () => undefined);
await timers.arm(deletionTimer({ partition: 'aws', account: '111122223333', region: 'us-east-1' }, 'k', new Date(Date.now() + 3_600_000)));
process.stdout.write(`armed ${timers.pending().length}\n`);
