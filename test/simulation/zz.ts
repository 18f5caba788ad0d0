import { sweep } from './sweep';
const show = (label: string, f: ReturnType<typeof sweep>) =>
  console.log(label, f.failures.map((r) => `${r.seed}:${r.violation?.rule}`).join(' '));
show('caughtUp4', sweep({ validators: 4, heights: 4, crashes: 12 }, 1, 100));
show('caughtUp7', sweep({ validators: 7, heights: 4, crashes: 14 }, 1, 60));
show(
  'caughtUp4sql',
  sweep({ validators: 4, heights: 4, crashes: 6, storage: 'sqlite' }, 200001, 35),
);
