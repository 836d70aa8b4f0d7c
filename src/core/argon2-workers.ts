// argon2id verification on Tessera's own threads (worker_threads), not on libuv's thread
// pool. @node-rs/argon2's async calls run on libuv's pool, whose four threads (by default)
// also run JWT signing (crypto.sign's callback form, core/jwt.ts) and file I/O, first come
// first served: a burst of password checks used to queue every signature behind them
// (docs/performance.md, "Password hashing"). Here each worker runs one synchronous verify
// at a time, at a lower scheduling priority, so the kernel gives the cores to the event
// loop and to signing first and argon2 takes what is left.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** nice(2) value of the hashing threads (Linux; elsewhere they keep the process's). */
export const HASHING_NICE = 19;

// Plain CommonJS, evaluated as the worker's main script, so one file serves the compiled
// build and the TypeScript sources (tsx hooks do not reach workers started from bin/).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { readlinkSync } = require('node:fs');
const { setPriority } = require('node:os');
const { verifySync } = require(workerData.argon2);
try {
  // A thread's own id is the last part of /proc/thread-self (Linux): lower only this thread.
  setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), workerData.nice);
} catch { /* not Linux, or not permitted: keep the priority */ }
parentPort.on('message', ({ stored, password }) => {
  let ok = false;
  try { ok = verifySync(stored, password); } catch { /* a malformed stored hash never verifies */ }
  parentPort.postMessage(ok);
});
`;

const argon2Path = createRequire(import.meta.url).resolve('@node-rs/argon2');

interface Job {
  stored: string;
  password: string;
  resolve(ok: boolean): void;
  reject(e: Error): void;
}

/**
 * A set of hashing threads. The pool in front of it (core/password.ts) keeps at most
 * `size` verifications in flight; the small queue here only covers a resize while busy.
 */
export class Argon2Workers {
  #size: number;
  readonly #idle: Worker[] = [];
  readonly #busy = new Map<Worker, Job>();
  readonly #jobs: Job[] = [];

  constructor(size: number) {
    this.#size = size;
  }

  resize(size: number): void {
    this.#size = size;
    while (this.#idle.length > 0 && this.#idle.length + this.#busy.size > size) void this.#idle.pop()!.terminate();
    this.#next();
  }

  /** Whether `password` matches the encoded argon2 hash (false for a malformed one); rejects only if the thread died. */
  verify(stored: string, password: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#jobs.push({ stored, password, resolve, reject });
      this.#next();
    });
  }

  #next(): void {
    while (this.#jobs.length > 0) {
      const w = this.#idle.pop() ?? (this.#busy.size < this.#size ? this.#spawn() : undefined);
      if (!w) return;
      const job = this.#jobs.shift()!;
      this.#busy.set(w, job);
      w.ref(); // a verification in flight keeps the process alive, as an async call would
      w.postMessage({ stored: job.stored, password: job.password });
    }
  }

  #spawn(): Worker {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { argon2: argon2Path, nice: HASHING_NICE } });
    w.on('message', (ok: boolean) => {
      const job = this.#busy.get(w);
      this.#busy.delete(w);
      w.unref();
      if (this.#idle.length + this.#busy.size < this.#size) this.#idle.push(w);
      else void w.terminate();
      job?.resolve(ok === true);
      this.#next();
    });
    // A thread that died (out of memory) fails its job; the next job starts a new one.
    w.on('error', (e) => this.#lost(w, e));
    w.on('exit', () => this.#lost(w, new Error('argon2 worker exited')));
    // Idle hashing threads never keep the process alive (after the listeners, which ref it).
    w.unref();
    return w;
  }

  #lost(w: Worker, e: Error): void {
    const job = this.#busy.get(w);
    this.#busy.delete(w);
    const i = this.#idle.indexOf(w);
    if (i >= 0) this.#idle.splice(i, 1);
    job?.reject(e);
    this.#next();
  }
}
