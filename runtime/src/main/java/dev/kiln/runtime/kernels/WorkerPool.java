package dev.kiln.runtime.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A small persistent pool for splitting one kernel call across threads. The caller runs part 0
 * itself; workers wait for the next call by spinning briefly (training issues calls back to back,
 * and a park/unpark round trip costs more than a mid-sized GEMM) and then park, so an idle pool
 * costs nothing. A call allocates nothing. One caller at a time: {@link #tryRun} returns false
 * when another thread holds the pool, and that caller does the work alone.
 */
final class WorkerPool {
  /** One part of a split call. Implementations are reused across calls. */
  interface Task {
    void run(int part, int parts);
  }

  /**
   * How long a worker spins for the next call before parking ({@code -Dkiln.spinMicros}). A
   * training step leaves gaps of several hundred microseconds between large products (element-wise
   * work, the optimizer); a worker that parked in such a gap costs a wake-up on every split.
   */
  private static final long SPIN_NANOS = 1000L * Long.getLong("kiln.spinMicros", 2000);

  private final Thread[] workers;
  /** 1 while worker i is parked or about to park; volatile semantics for the hand-shake. */
  private final AtomicIntegerArray parked;
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicInteger pending = new AtomicInteger();
  private volatile long generation;
  private volatile Task task;
  private volatile int parts;
  private volatile Throwable failure;

  /** The pool every threaded kernel shares, created on first use; null on one processor. */
  private static final class Shared {
    static final WorkerPool POOL = create();

    private static WorkerPool create() {
      int workers = Math.max(Runtime.getRuntime().availableProcessors(), Parallelism.threads()) - 1;
      return workers < 1 ? null : new WorkerPool(workers);
    }
  }

  /**
   * The shared pool (one worker fewer than the processors, or than {@code kiln.threads} when that
   * asks for more), or null when there is only one processor.
   */
  static WorkerPool shared() {
    return Shared.POOL;
  }

  WorkerPool(int workerCount) {
    workers = new Thread[workerCount];
    parked = new AtomicIntegerArray(workerCount);
    for (int i = 0; i < workerCount; i++) {
      int index = i;
      Thread worker = new Thread(() -> work(index), "kiln-worker-" + (i + 1));
      worker.setDaemon(true);
      workers[i] = worker;
      worker.start();
    }
  }

  int workerCount() {
    return workers.length;
  }

  /**
   * Start of part {@code part} of {@code parts} over {@code length} items: a multiple of
   * {@code alignment}, the last part taking the rest.
   */
  static int partStart(int length, int part, int parts, int alignment) {
    if (part >= parts) {
      return length;
    }
    int perPart = (length / parts + alignment - 1) / alignment * alignment;
    return Math.min(length, part * perPart);
  }

  /**
   * Runs {@code task} as {@code parts} parts (at most workers + 1), part 0 on this thread, and
   * returns when all are done. Returns false, having run nothing, if the pool is busy.
   */
  boolean tryRun(Task task, int parts) {
    if (!tryAcquire()) {
      return false;
    }
    try {
      runAcquired(task, parts);
    } finally {
      release();
    }
    return true;
  }

  /**
   * Takes the pool for one call ({@link #runAcquired}, then {@link #release}): false when another
   * thread holds it, or when this thread is running a part of a call already. A caller that keeps
   * its task's arguments in a shared object sets them only after this returns true, so a caller
   * that finds the pool busy never overwrites the arguments the running parts read.
   */
  boolean tryAcquire() {
    return !lock.isHeldByCurrentThread() && lock.tryLock();
  }

  /** Gives the pool back after {@link #tryAcquire}. */
  void release() {
    lock.unlock();
  }

  /** {@link #tryRun}'s work, for a caller that holds the pool ({@link #tryAcquire}). */
  void runAcquired(Task task, int parts) {
    if (!lock.isHeldByCurrentThread()) {
      throw new IllegalStateException("the pool is not held by this thread");
    }
    if (parts < 1 || parts > workers.length + 1) {
      throw new IllegalArgumentException("parts must be in [1, " + (workers.length + 1) + "], was " + parts);
    }
    try {
      this.task = task;
      this.parts = parts;
      this.failure = null;
      pending.set(workers.length);
      generation++; // publishes task and parts to the workers
      for (int i = 0; i < workers.length; i++) {
        if (parked.get(i) == 1) {
          LockSupport.unpark(workers[i]);
        }
      }
      Throwable own = null;
      try {
        task.run(0, parts);
      } catch (Throwable t) {
        own = t;
      }
      while (pending.get() != 0) {
        Thread.onSpinWait();
      }
      Throwable failed = own != null ? own : failure;
      if (failed instanceof RuntimeException e) {
        throw e;
      }
      if (failed instanceof Error e) {
        throw e;
      }
    } finally {
      this.task = null;
    }
  }

  private void work(int index) {
    long seen = 0;
    while (true) {
      long current = awaitNextCall(index, seen);
      seen = current;
      int part = index + 1;
      if (part < parts) {
        try {
          task.run(part, parts);
        } catch (Throwable t) {
          failure = t;
        }
      }
      pending.decrementAndGet();
    }
  }

  private long awaitNextCall(int index, long seen) {
    long spinUntil = System.nanoTime() + SPIN_NANOS;
    int spins = 0;
    long current;
    while ((current = generation) == seen) {
      if ((++spins & 63) != 0 || System.nanoTime() < spinUntil) {
        Thread.onSpinWait();
        continue;
      }
      parked.set(index, 1);
      // Re-check after announcing: the caller reads parked[] after bumping the generation.
      if (generation == seen) {
        LockSupport.park(this);
      }
      parked.set(index, 0);
      spinUntil = System.nanoTime() + SPIN_NANOS;
    }
    return current;
  }
}
