package dev.kiln.runtime.kernels;

/**
 * Splits element-wise work over a long range across the worker pool the threaded products use:
 * an optimizer's update of a quarter-million parameters, say. Each part is a contiguous aligned
 * sub-range processed by the same code as the whole, so element-wise results do not depend on the
 * thread count. Short ranges, one thread ({@link Parallelism#threads()}), or a pool busy with
 * another caller run the whole range on the caller's thread. A call allocates nothing.
 */
public final class ParallelRanges {
  /** Work on a sub-range {@code [from, to)} of the range being split. Implementations are reused. */
  @FunctionalInterface
  public interface RangeTask {
    void run(int from, int to);
  }

  /** Parts start at multiples of this many elements (a cache line of floats). */
  static final int ALIGNMENT = 16;

  private ParallelRanges() {}

  /**
   * Runs {@code task} over {@code [from, to)}, in as many parts as the thread count allows with at
   * least {@code minPerPart} elements each; nothing for an empty range.
   */
  public static void run(int from, int to, int minPerPart, RangeTask task) {
    run(from, to, minPerPart, Integer.MAX_VALUE, task);
  }

  /** The most parts a call can split into now: the thread count, or the pool's size if smaller. */
  public static int maxParts() {
    WorkerPool pool = WorkerPool.shared();
    return pool == null ? 1 : Math.min(Parallelism.threads(), pool.workerCount() + 1);
  }

  /**
   * As {@link #run(int, int, int, RangeTask)} in at most {@code maxParts} parts: for a task that
   * keeps a slot per part, sized from {@link #maxParts} before the call.
   */
  public static void run(int from, int to, int minPerPart, int maxParts, RangeTask task) {
    run(from, to, minPerPart, maxParts, ALIGNMENT, task);
  }

  /**
   * As {@link #run(int, int, int, int, RangeTask)} with parts starting at multiples of {@code
   * alignment} from {@code from}: 1 for ranges of whole items (batches, not floats).
   */
  public static void run(int from, int to, int minPerPart, int maxParts, int alignment, RangeTask task) {
    int length = to - from;
    if (length <= 0) {
      return;
    }
    WorkerPool pool = WorkerPool.shared();
    int parts = Math.min(Math.min(Parallelism.threads(), maxParts), length / Math.max(1, minPerPart));
    if (pool == null || parts < 2) {
      task.run(from, to);
      return;
    }
    parts = Math.min(parts, pool.workerCount() + 1);
    if (!pool.tryAcquire()) {
      task.run(from, to); // another caller's, or this thread is inside a part of a call
      return;
    }
    try {
      SPLIT.set(from, to, alignment, task);
      pool.runAcquired(SPLIT, parts);
    } finally {
      SPLIT.set(0, 0, ALIGNMENT, null);
      pool.release();
    }
  }

  /**
   * The running call's range and task, set only by the thread holding the shared pool: a caller
   * that finds it busy (another thread's call, or a part asking to split again) runs alone and
   * never overwrites what the running parts read.
   */
  private static final Split SPLIT = new Split();

  private static final class Split implements WorkerPool.Task {
    private int from;
    private int to;
    private int alignment = ALIGNMENT;
    private RangeTask task;

    void set(int from, int to, int alignment, RangeTask task) {
      this.from = from;
      this.to = to;
      this.alignment = alignment;
      this.task = task;
    }

    @Override
    public void run(int part, int parts) {
      int length = to - from;
      int start = WorkerPool.partStart(length, part, parts, alignment);
      int end = WorkerPool.partStart(length, part + 1, parts, alignment);
      if (end > start) {
        task.run(from + start, from + end);
      }
    }
  }
}
