import { SingleBar, Presets } from 'cli-progress';

/**
 * One bar over all planned steps, moving within a step as its records complete. Without a
 * TTY (CI, the smoke test) it writes one line per step instead of redrawing a bar.
 */
export class Progress {
  private readonly bar: SingleBar | null;
  private done = 0;
  private label = '';
  private lastFraction = 0;

  constructor(
    private total: number,
    private readonly log: (line: string) => void,
    interactive: boolean,
  ) {
    this.bar = interactive
      ? new SingleBar(
          {
            format: '{bar} {percentage}% | step {step}/{steps} | {label}',
            hideCursor: true,
            clearOnComplete: true,
            etaBuffer: 20,
          },
          Presets.shades_classic,
        )
      : null;
    this.bar?.start(total, 0, { step: 0, steps: total, label: 'starting' });
  }

  /** Adds steps discovered while running (e.g. a scenario that plans after a probe). */
  addSteps(n: number): void {
    this.total += n;
    this.bar?.setTotal(this.total);
  }

  begin(label: string): void {
    this.label = label;
    this.lastFraction = 0;
    if (this.bar) this.bar.update(this.done, { step: this.done + 1, steps: this.total, label });
    else this.log(`[bench] ${this.done + 1}/${this.total} ${label}`);
  }

  /** Progress within the current step, 0..1. */
  update(fraction: number): void {
    const f = Math.min(1, Math.max(0, fraction));
    if (f - this.lastFraction < 0.01 && f < 1) return;
    this.lastFraction = f;
    this.bar?.update(this.done + f, { step: this.done + 1, steps: this.total, label: this.label });
  }

  end(): void {
    this.done++;
    this.bar?.update(Math.min(this.done, this.total), { step: this.done, steps: this.total, label: this.label });
  }

  /** A message that must not be overwritten by the bar. */
  note(line: string): void {
    if (this.bar) {
      this.bar.stop();
      this.log(line);
      this.bar.start(this.total, this.done, { step: this.done + 1, steps: this.total, label: this.label });
    } else {
      this.log(line);
    }
  }

  stop(): void {
    this.bar?.stop();
  }
}
